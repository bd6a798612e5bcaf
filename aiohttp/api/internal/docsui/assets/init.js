// Starts Swagger UI on the page's element, with the document its
// data-url names. A file, not an inline script, so that the page works
// under a Content-Security-Policy that forbids inline scripts.
window.addEventListener("load", function () {
  var el = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: el.dataset.url,
    domNode: el,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
