// The artifacts a run logged and used, linking to each version's page. Shows nothing when none.
import { artifactsApi, type ArtifactLink } from "../api";
import { Link, useApp } from "../app";
import { artifactHref } from "../lib/route";
import { useApi } from "./useApi";

function LinkList({ title, links, testid }: { title: string; links: ArtifactLink[]; testid: string }) {
  if (!links.length) return null;
  return (
    <div class="card" data-testid={testid}>
      <h3>{title}</h3>
      <ul>
        {links.map((l) => (
          <li>
            <Link href={artifactHref(l.name, l.version)} testid="run-artifact-link">
              {l.name}:{l.version}
            </Link>{" "}
            <span class="muted small">
              {l.type}
              {l.aliases.length ? ` · ${l.aliases.join(", ")}` : ""}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function RunArtifacts({ runKey }: { runKey: string }) {
  const { t } = useApp();
  const { data: links, error } = useApi(() => artifactsApi.ofRun(runKey), [runKey]);
  if (!links || error) return null;
  return (
    <div class="run-artifacts">
      <LinkList title={t("artifacts.runLogged")} links={links.logged} testid="run-artifacts-logged" />
      <LinkList title={t("artifacts.runUsed")} links={links.used} testid="run-artifacts-used" />
    </div>
  );
}
