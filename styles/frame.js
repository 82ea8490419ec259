// The pages' frame script, which Trunk inlines into each page before the
// app: the frame shows alone while the app loads; if the app cannot start
// (no WebAssembly, a failed load, or nothing after 30 seconds), the
// message in <main> says what to do. The app, once started, replaces it.
(function (page) {
  function show() { page.classList.remove("app-loading"); }
  if (typeof WebAssembly !== "object") return;
  page.classList.add("app-loading");
  addEventListener("error", show);
  addEventListener("unhandledrejection", show);
  setTimeout(show, 30000);
})(document.documentElement);
