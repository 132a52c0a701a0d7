// Starts Swagger UI on the API's own document (served as /api/docs/swagger-init.js).
//
// Every URL is derived from the page's own address, so the page works wherever the API is
// mounted: http://127.0.0.1:8000/api/docs locally, https://<id>.execute-api.<region>.amazonaws.com/api/api/docs
// behind API Gateway's stage path. The document's paths all start with /api, so the server that
// try-it-out calls is the part of the address before the page's own /api.
(function () {
  "use strict";

  var page = window.location.href.split(/[?#]/)[0];
  var specUrl = new URL("openapi.json", page).href;
  var server = new URL("..", specUrl).href.replace(/\/$/, "");
  // A successful login or refresh answers a token pair: use its access token for every call.
  var TOKEN_ROUTES = /\/api\/auth\/(login|refresh)$/;

  function start(spec) {
    spec.servers = [{ url: server, description: "this server" }];
    var ui = window.SwaggerUIBundle({
      spec: spec,
      dom_id: "#swagger-ui",
      // Off: its links read "_" as an escaped space (and log that as deprecated), and every
      // operation id here has underscores.
      deepLinking: false,
      validatorUrl: null, // the public validator would be a call to another host
      displayRequestDuration: true,
      filter: true,
      showExtensions: true,
      showCommonExtensions: true,
      defaultModelsExpandDepth: 1,
      docExpansion: "list",
      responseInterceptor: function (response) {
        var path = (response.url || "").split(/[?#]/)[0];
        var body = response.body || {};
        if (response.ok && TOKEN_ROUTES.test(path) && typeof body.access_token === "string") {
          ui.preauthorizeApiKey("bearer", body.access_token);
        }
        return response;
      },
    });
    window.ui = ui;
  }

  fetch(specUrl, { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(specUrl + " answered " + response.status);
      }
      return response.json();
    })
    .then(start)
    .catch(function (error) {
      var box = document.getElementById("swagger-ui");
      box.textContent = "Could not load the API document: " + error.message;
    });
})();
