// App state shared by every page: language, theme, the current route and navigation.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { translate, type Lang, type MessageKey } from "./lib/i18n";

export interface AppState {
  lang: Lang;
  t: (key: MessageKey) => string;
  /** Go to an in-app page; `replace` rewrites the current history entry (a view's own state). */
  navigate: (href: string, opts?: { replace?: boolean }) => void;
}

export const AppContext = createContext<AppState>({
  lang: "en",
  t: (key) => translate("en", key),
  navigate: () => undefined,
});

export function useApp(): AppState {
  return useContext(AppContext);
}

/** An in-app link: plain <a> for middle-click/new tab, history navigation on a normal click. */
export function Link(props: { href: string; class?: string; testid?: string; children: any }) {
  const { navigate } = useApp();
  return (
    <a
      href={props.href}
      class={props.class}
      data-testid={props.testid}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
        e.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}
