// A group's label in the page's language, from its structured value: the viewer's label
// ("no optimizer", "optimizer=adam") is English; runs without the field get `noGroup`
// ("no {key}" / "无 {key}") instead, and a value stays `key=value` (the same in every language).
import { shortName } from "./columns";

export function translatedGroupLabel<T extends { value: unknown; label: string }>(group: T, by: string, noGroup: string): T {
  if (group.value !== null && group.value !== undefined) return group;
  return { ...group, label: noGroup.replace("{key}", shortName(by)) };
}
