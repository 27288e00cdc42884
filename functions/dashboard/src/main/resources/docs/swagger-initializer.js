// Swagger UI on the API's description, whose URL the page gives (the base path differs per deployment). A file of
// its own, because the page's Content-Security-Policy runs no inline script.
window.addEventListener('load', () => {
  const root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: root.dataset.url,
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
  });
});
