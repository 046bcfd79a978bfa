import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import "uplot/dist/uPlot.min.css";
import "./styles.css";
import { AppContext, Link } from "./app";
import { initialLang, LANG_STORAGE_KEY, translate, type Lang } from "./lib/i18n";
import { parseRoute, type Route } from "./lib/route";
import { ArtifactsPage, ArtifactVersionPage } from "./pages/ArtifactsPage";
import { ComparePage } from "./pages/ComparePage";
import { GpuPage } from "./pages/GpuPage";
import { ImportPage } from "./pages/ImportPage";
import { JobsPage } from "./pages/JobsPage";
import { RemotePage } from "./pages/RemotePage";
import { RunPage } from "./pages/RunPage";
import { RunsPage } from "./pages/RunsPage";
import { SweepPage, SweepsPage } from "./pages/SweepsPage";

const THEME_STORAGE_KEY = "runicorn.theme";
// The header's links: where each goes, its name (label nav.<name>, test id nav-<name>), the pages it lights up on.
const NAV: [string, "runs" | "compare" | "sweeps" | "jobs" | "artifacts" | "gpu" | "remote" | "import", Route["page"][]][] = [
  ["/", "runs", ["runs", "run"]],
  ["/compare", "compare", ["compare"]],
  ["/sweeps", "sweeps", ["sweeps", "sweep"]],
  ["/jobs", "jobs", ["jobs"]],
  ["/artifacts", "artifacts", ["artifacts", "artifact"]],
  ["/gpu", "gpu", ["gpu"]],
  ["/remote", "remote", ["remote"]],
  ["/import", "import", ["import"]],
];

function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeStorage(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
}

function App() {
  const [lang, setLang] = useState<Lang>(() => initialLang(readStorage(LANG_STORAGE_KEY), navigator.language));
  const [theme, setTheme] = useState<string>(
    () => readStorage(THEME_STORAGE_KEY) ?? (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"),
  );
  const [loc, setLoc] = useState({ path: location.pathname, search: location.search });

  useEffect(() => {
    const onPop = () => setLoc({ path: location.pathname, search: location.search });
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  }, [lang]);
  // A choice is saved in the click itself, not in an effect after the next render: a reload right
  // after the click (the page already showing the new labels) still finds it. Until the user
  // chooses, nothing is saved and the browser's language and colour scheme decide.
  const chooseLang = (next: Lang) => {
    writeStorage(LANG_STORAGE_KEY, next);
    setLang(next);
  };
  const chooseTheme = (next: string) => {
    writeStorage(THEME_STORAGE_KEY, next);
    setTheme(next);
  };

  const state = useMemo(
    () => ({
      lang,
      t: (key: Parameters<typeof translate>[1]) => translate(lang, key),
      navigate: (href: string, opts?: { replace?: boolean }) => {
        if (opts?.replace) history.replaceState(null, "", href);
        else history.pushState(null, "", href);
        const url = new URL(href, location.href);
        setLoc({ path: url.pathname, search: url.search });
        if (!opts?.replace) scrollTo(0, 0);
      },
    }),
    [lang],
  );
  const route = parseRoute(loc.path, loc.search);
  const t = state.t;

  return (
    <AppContext.Provider value={state}>
      <header class="topbar">
        <Link href="/" class="brand" testid="brand">
          <svg class="logo" viewBox="0 0 32 32" aria-hidden="true">
            <defs>
              <linearGradient id="rg" x1="0" y1="0" x2="1" y2="1">
                <stop offset="0" stop-color="#a855f7" />
                <stop offset="1" stop-color="#6366f1" />
              </linearGradient>
            </defs>
            <rect width="32" height="32" rx="8" fill="url(#rg)" />
            <path d="M7 23 L13 14 L18 19 L25 8" fill="none" stroke="#fff" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round" />
            <circle cx="25" cy="8" r="2.4" fill="#fde68a" />
          </svg>
          Runicorn
        </Link>
        <nav>
          {NAV.map(([href, name, pages]) => (
            <Link href={href} class={pages.includes(route.page) ? "active" : ""} testid={`nav-${name}`}>
              {t(`nav.${name}`)}
            </Link>
          ))}
        </nav>
        <div class="spacer" />
        <button
          class="ghost"
          data-testid="lang-toggle"
          title="English / 中文"
          onClick={() => chooseLang(lang === "en" ? "zh" : "en")}
        >
          {lang === "en" ? "中文" : "English"}
        </button>
        <button
          class="ghost"
          data-testid="theme-toggle"
          title={t("theme.toggle")}
          onClick={() => chooseTheme(theme === "dark" ? "light" : "dark")}
        >
          {theme === "dark" ? "☀" : "☾"}
        </button>
      </header>
      <main>
        {route.page === "runs" && <RunsPage search={loc.search} />}
        {route.page === "run" && <RunPage key={route.key} runKey={route.key} overlay={route.overlay} />}
        {route.page === "compare" && <ComparePage ids={route.ids} media={route.media} />}
        {route.page === "sweeps" && <SweepsPage />}
        {route.page === "sweep" && <SweepPage key={route.id} id={route.id} />}
        {route.page === "jobs" && <JobsPage />}
        {route.page === "artifacts" && <ArtifactsPage />}
        {route.page === "artifact" && <ArtifactVersionPage name={route.name} version={route.version} />}
        {route.page === "gpu" && <GpuPage />}
        {route.page === "import" && <ImportPage />}
        {route.page === "remote" && <RemotePage />}
        {route.page === "notfound" && <p class="empty">404 · {route.path}</p>}
      </main>
    </AppContext.Provider>
  );
}

render(<App />, document.getElementById("app")!);
