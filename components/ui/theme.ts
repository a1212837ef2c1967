// Theme choice (light / dark), stored in localStorage; the OS preference when nothing is stored.
import { THEME_STORAGE_KEY } from '@/lib/ui/theme-script';

export type Theme = 'light' | 'dark';

export function applyTheme(theme: Theme): void {
  document.documentElement.classList.toggle('dark', theme === 'dark');
  try {
    localStorage.setItem(THEME_STORAGE_KEY, theme);
  } catch {
    // Storage may be disabled (private mode); the class alone still applies the theme.
  }
}

export function currentTheme(): Theme {
  return document.documentElement.classList.contains('dark') ? 'dark' : 'light';
}
