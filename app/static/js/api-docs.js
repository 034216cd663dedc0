/* Swagger UI on /api/v1/docs (swagger-ui-dist from node_modules): the OpenAPI document of the API,
   read from the URL the page names (no inline script: the service's CSP runs only its own files). */
(function () {
  'use strict'
  window.SwaggerUIBundle({
    url: document.body.dataset.specUrl,
    dom_id: '#swagger-ui',
    deepLinking: true,
    docExpansion: 'none', /* 120 paths: the tags listed, each opened when wanted */
    validatorUrl: null /* never send the document to a third-party validator */
  })
})()
