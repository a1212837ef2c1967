// The theme's first paint: the inline script the layout runs before React (and whose hash the
// Content-Security-Policy allows), and the storage key it shares with the theme toggle.
export const THEME_STORAGE_KEY = 'meshlens-theme';

export const THEME_BOOTSTRAP_SCRIPT = `(function(){try{var t=localStorage.getItem('${THEME_STORAGE_KEY}');if(t!=='light'&&t!=='dark'){t=window.matchMedia('(prefers-color-scheme: dark)').matches?'dark':'light'}document.documentElement.classList.toggle('dark',t==='dark')}catch(e){}})();`;
