// UI strings in English and 中文. The chosen language is remembered in localStorage.

export type Lang = "en" | "zh";

import { en, type MessageKey } from "./messages.en";
import { zh } from "./messages.zh";

export type { MessageKey };

export const MESSAGES: Record<Lang, Record<MessageKey, string>> = { en, zh };

export function translate(lang: Lang, key: MessageKey): string {
  return MESSAGES[lang][key] ?? MESSAGES.en[key] ?? key;
}

export const LANG_STORAGE_KEY = "runicorn.lang";

export function initialLang(stored: string | null, browserLang: string | undefined): Lang {
  if (stored === "en" || stored === "zh") return stored;
  return browserLang?.toLowerCase().startsWith("zh") ? "zh" : "en";
}
