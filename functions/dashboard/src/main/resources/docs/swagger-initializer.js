// Swagger UI on the API's description, whose URL the page gives (the base path differs per deployment). A file of
// its own, because the page's Content-Security-Policy runs no inline script. The description's first server is
// made this deployment (the page's own origin and base path), so that "Try it out" calls the API that served it.
window.addEventListener('load', () => {
  const root = document.getElementById('swagger-ui');
  const here = location.origin + location.pathname.replace(/\/docs\/?$/, '');
  const ui = SwaggerUIBundle({
    url: root.dataset.url,
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    onComplete: () => {
      const spec = ui.specSelectors.specJson().toJS();
      const others = (spec.servers ?? []).filter(server => server.url !== here);
      spec.servers = [{url: here, description: 'this deployment'}, ...others];
      ui.specActions.updateJsonSpec(spec);
      ui.getSystem().oas3Actions.setSelectedServer(here);
    },
  });
  window.ui = ui;
});
