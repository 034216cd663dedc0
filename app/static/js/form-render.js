/* How a task's form is rendered, shared by the task page (task-form.js) and the workbench's form
   preview (workbench.js), so the preview is what staff see: json-editor with the schema in the
   user's language (enum titles, checkboxes, plain date-time inputs, long texts as text areas),
   json-editor's own error messages hidden (the server's are shown), the signature widget
   (signature-editor.js, loaded before this file) and the workspace's button labels. */
(function () {
  'use strict'
  const { pickLanguage } = window.Workspace
  const LONG_TEXT = 500 /* characters allowed from which a field is a text area */

  /* The schema as json-editor renders it well: one language, enum titles, checkboxes, plain
     date-time inputs (the service's time zone), live choices as a select. */
  function adapt (schema, language) {
    if (!schema || typeof schema !== 'object') return schema
    const s = { ...schema }
    delete s.$schema
    for (const key of ['title', 'description']) if (s[key]) s[key] = pickLanguage(s[key], language)
    if (Array.isArray(s.enum) && Array.isArray(s.enumNames)) {
      s.options = { ...s.options, enum_titles: s.enumNames.map((t) => pickLanguage(t, language)) }
      delete s.enumNames
    }
    if (Array.isArray(s.oneOf) && s.oneOf.every((o) => 'const' in o)) {
      s.enum = s.oneOf.map((o) => o.const)
      s.options = { ...s.options, enum_titles: s.oneOf.map((o) => pickLanguage(o.title || String(o.const), language)) }
      delete s.oneOf
    }
    if (Array.isArray(s.anyOf) && s.anyOf.some((o) => o.const === '')) {
      Object.assign(s, s.anyOf.find((o) => o.const !== '') || {})
      delete s.anyOf
    }
    if (s.format === 'date-time') s.format = 'datetime-local'
    if (s.type === 'string' && !s.format && !s.enum && s.maxLength >= LONG_TEXT) s.format = 'textarea'
    if (s.type === 'boolean') {
      s.format = 'checkbox'
      delete s.const
    }
    if (s.properties) {
      s.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, adapt(v, language)]))
    }
    if (s.items) s.items = adapt(s.items, language)
    return s
  }

  /* json-editor's html theme without its own error messages: the server's are shown instead. */
  class QuietTheme extends JSONEditor.defaults.themes.html {
    getErrorMessage () { return document.createTextNode('') }
    addInputError () {}
    removeInputError () {}
  }
  JSONEditor.defaults.themes.workspace = QuietTheme

  /* The page's labels: {clear, upload, signHere} for signatures, {addRow, deleteRow} for tables. */
  function useStrings (strings) {
    window.SignatureStrings = { clear: strings.clear, upload: strings.upload, signHere: strings.signHere }
    JSONEditor.defaults.languages.workspace = {
      ...JSONEditor.defaults.languages.en,
      button_add_row_title: `${strings.addRow} {{0}}`,
      button_delete_row_title: `${strings.deleteRow} {{0}}`,
      button_delete_row_title_short: strings.deleteRow
    }
    JSONEditor.defaults.language = 'workspace'
  }

  /* A json-editor in ``container`` showing the task form ``schema`` as staff see it. */
  function render (container, schema, { language, strings }) {
    useStrings(strings)
    return new JSONEditor(container, {
      schema: adapt(schema, language),
      theme: 'workspace',
      show_errors: 'never',
      remove_empty_properties: true,
      use_default_values: false,
      disable_collapse: true,
      disable_edit_json: true,
      disable_properties: true,
      disable_array_reorder: true,
      disable_array_delete_all_rows: true,
      disable_array_delete_last_row: true,
      prompt_before_delete: false,
      no_additional_properties: true
    })
  }

  window.TaskForm = { adapt, render }
})()
