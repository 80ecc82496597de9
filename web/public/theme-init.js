// Apply the saved or system theme before first paint (external file: the CSP forbids inline scripts).
(function () {
  var t = null;
  try {
    t = localStorage.getItem("jutsu_theme");
  } catch (e) {}
  var dark = t ? t === "dark" : window.matchMedia("(prefers-color-scheme: dark)").matches;
  if (dark) document.documentElement.classList.add("dark");
})();
