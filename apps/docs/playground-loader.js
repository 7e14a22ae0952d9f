// Loaded on every page of the docs site (typedoc's customJs); fetches the playground's bundle
// only on the page that has its mount point, so other pages stay light.
(() => {
  const mount = document.getElementById('npde-playground');
  if (!mount) return;
  const assets = new URL('.', document.currentScript ? document.currentScript.src : location.href);
  import(new URL('playground.js', assets).href).then(
    (m) => m.mountPlayground(mount, new URL('wasm/', assets).href),
    (err) => {
      mount.textContent = `The playground could not load: ${err}`;
      console.error(err);
    },
  );
})();
