/* Swagger UI on /api/v1/docs (swagger-ui-dist from node_modules): the OpenAPI document of the API,
   read from the URL the page names (no inline script: the service's CSP runs only its own files).
   Two names Swagger UI's markup lacks or contradicts are set as it draws (axe, WCAG 2.2 AA): the
   dialog's close button, an icon, gets one (button-name), and a button whose aria-label does not
   contain its visible text ("Authorize" labelled "Apply credentials") keeps its visible text as its
   name (label-content-name-mismatch). The rest of the audit is met by static/css/api-docs.css. */
(function () {
  'use strict'
  const root = document.getElementById('swagger-ui')

  function name () {
    for (const button of root.querySelectorAll('button.close-modal:not([aria-label])')) {
      button.setAttribute('aria-label', 'Close')
    }
    for (const button of root.querySelectorAll('button[aria-label]')) {
      const visible = button.textContent.trim()
      if (visible && !button.getAttribute('aria-label').toLowerCase().includes(visible.toLowerCase())) {
        button.removeAttribute('aria-label')
      }
    }
  }

  new MutationObserver(name).observe(root, { childList: true, subtree: true })
  window.SwaggerUIBundle({
    url: document.body.dataset.specUrl,
    dom_id: '#swagger-ui',
    /* No deep links: Swagger UI puts each one as a link inside its operation's button (axe:
       nested-interactive, and a 19 px target); an operation is found by its tag and path instead. */
    deepLinking: false,
    docExpansion: 'none', /* 120 paths: the tags listed, each opened when wanted */
    validatorUrl: null /* never send the document to a third-party validator */
  })
})()
