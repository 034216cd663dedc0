/* How a task's form is rendered, shared by the task page (task-form.js) and the workbench's form
   preview (workbench.js), so the preview is what staff see: json-editor with the schema in the
   user's language (enum titles, checkboxes, plain date-time inputs, long texts as text areas),
   json-editor's own error messages hidden (the server's are shown), the signature widget
   (signature-editor.js, loaded before this file) and the workspace's button labels.

   A form shows text, never markup, whatever the diagram or the case data hold (stored XSS): every
   text of the schema is reduced to plain text by DOMPurify (parsed in an inert document), only the
   JSON Schema keywords below reach json-editor (not its hooks: input attributes, links, templates,
   media), and values are never parsed as HTML (json-editor's own "cleaning" of values set a
   detached element's innerHTML, which runs an <img onerror>, and mangled "A&B" or "x<y"). */
(function () {
  'use strict'
  const { pickLanguage } = window.Workspace
  const DOMPurify = window.DOMPurify
  const LONG_TEXT = 500 /* characters allowed from which a field is a text area */
  /* What json-editor is given of a schema; anything else (options, links, headerTemplate, template,
     watch, enumSource, media, $ref, ...) is json-editor's own vocabulary a diagram must not use. */
  const KEYWORDS = [
    'type', 'title', 'description', 'default', 'readOnly', 'format', 'enum', 'const',
    'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'pattern',
    'properties', 'required', 'additionalProperties', 'items', 'minItems', 'maxItems', 'uniqueItems',
    'anyOf', 'oneOf', 'allOf', 'if', 'then', 'else', 'x-widget', 'contentMediaType'
  ]
  const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
  const FORMATS = new Set(['date', 'date-time', 'time', 'email', 'textarea', 'checkbox', 'table', 'radio'])
  const SUBSCHEMA = ['additionalProperties', 'if', 'then', 'else']
  const SUBSCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf']

  /* The text of a string that may hold markup ("<b>Name</b>" -> "Name"; "a < b" stays). */
  function plainText (text) {
    if (typeof text !== 'string' || !/[<&]/.test(text)) return text /* neither tags nor entities: text already */
    return DOMPurify.sanitize(text, { ALLOWED_TAGS: [], KEEP_CONTENT: true, RETURN_DOM_FRAGMENT: true }).textContent
  }

  const isScalar = (value) => value === null || typeof value !== 'object'
  const isSchema = (value) => Boolean(value) && typeof value === 'object' && !Array.isArray(value)

  /* The schema as json-editor renders it well and safely: one language, plain texts, enum titles,
     checkboxes, plain date-time inputs (the service's time zone), live choices as a select. */
  function adapt (schema, language, chooseText) {
    if (!isSchema(schema)) return schema
    const text = (value) => plainText(pickLanguage(value, language))
    let source = schema
    if (Array.isArray(source.anyOf) && source.anyOf.some((o) => isSchema(o) && o.const === '')) {
      source = { ...source, ...(source.anyOf.find((o) => isSchema(o) && o.const !== '') || {}) }
      delete source.anyOf
    }
    const s = {}
    for (const key of KEYWORDS) if (key in source) s[key] = source[key]
    for (const key of ['title', 'description']) if (typeof s[key] === 'string') s[key] = text(s[key])
    if (!FORMATS.has(s.format)) delete s.format
    if (Array.isArray(s.enum) && !s.enum.every(isScalar)) delete s.enum /* json-editor shows object enums as HTML */
    if (Array.isArray(s.enum) && Array.isArray(source.enumNames)) {
      s.options = { enum_titles: source.enumNames.map(text) }
    }
    if (Array.isArray(s.oneOf) && s.oneOf.length && s.oneOf.every((o) => isSchema(o) && 'const' in o && isScalar(o.const))) {
      s.enum = s.oneOf.map((o) => o.const)
      s.options = { enum_titles: s.oneOf.map((o) => text(o.title || String(o.const))) }
      delete s.oneOf
    }
    /* A list of choices starts on none ("please choose"), not on its first: nothing is chosen for the
       user (urgency high, cash); sent empty, the field is left out and a required one is refused. */
    if (Array.isArray(s.enum) && s.type === 'string' && s.format !== 'radio' && s.default === undefined &&
        s.const === undefined && !s.readOnly && !s.enum.includes('')) {
      s.enum = ['', ...s.enum]
      const titles = (s.options && s.options.enum_titles) || s.enum.slice(1).map(String)
      s.options = { ...(s.options || {}), enum_titles: [chooseText || '—', ...titles] }
    }
    if (s.format === 'date-time') s.format = 'datetime-local'
    if (s.type === 'string' && !s.format && !s.enum && s.maxLength >= LONG_TEXT) s.format = 'textarea'
    if (s.type === 'boolean') {
      s.format = 'checkbox'
      delete s.const
    }
    if (isSchema(s.properties)) {
      s.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, adapt(v, language, chooseText)]))
      conditionalFields(s, source)
    }
    const sub = (v) => adapt(v, language, chooseText)
    if (s.items !== undefined) s.items = Array.isArray(s.items) ? s.items.map(sub) : sub(s.items)
    for (const key of SUBSCHEMA) if (s[key] !== undefined) s[key] = sub(s[key])
    for (const key of SUBSCHEMA_LISTS) if (Array.isArray(s[key])) s[key] = s[key].map(sub)
    if (s.readOnly && (s.type === 'array' || s.type === 'object')) readOnlyAll(s)
    return s
  }

  /* ``"x-visible-if": {"other": value}`` on a field (a value, a list of values, or true: any value)
     shows it only while the other field of the same object has that value, as json-editor's
     ``options.dependencies`` (a hidden field sends nothing). A field the form requires only when
     shown (an ``allOf`` item ``{"if": ..., "then": {"required": [field]}}``, as the server checks it)
     is marked required; json-editor does not check it while hidden. json-editor cannot evaluate
     if/then itself (it merges allOf into the object), so those items are not given to it. */
  function conditionalFields (s, source) {
    const shownWhen = {}
    for (const [key, prop] of Object.entries(source.properties || {})) {
      const when = isSchema(prop) ? prop['x-visible-if'] : undefined
      if (!isSchema(when) || !isSchema(s.properties[key])) continue
      const deps = Object.fromEntries(Object.entries(when).filter(([name, value]) =>
        FIELD_NAME.test(name) && name in s.properties && (isScalar(value) || (Array.isArray(value) && value.every(isScalar)))))
      if (!Object.keys(deps).length) continue
      s.properties[key].options = { ...(s.properties[key].options || {}), dependencies: deps }
      shownWhen[key] = true
    }
    if (!Array.isArray(s.allOf)) return
    const required = new Set(Array.isArray(s.required) ? s.required : [])
    s.allOf = s.allOf.filter((item) => {
      if (!isSchema(item) || item.if === undefined) return true
      const then = isSchema(item.then) && Array.isArray(item.then.required) ? item.then.required : []
      then.filter((key) => shownWhen[key]).forEach((key) => required.add(key))
      return false
    })
    if (!s.allOf.length) delete s.allOf
    if (required.size) s.required = [...required]
  }

  /* ---- look-ups: a field marked "x-lookup" suggests records as the user types; picking one
     fills the fields its "x-fills" names (form field -> record field). The task page and the
     workbench's preview; a user the look-up is not for (HTTP 403) gets no suggestions. ---- */
  const LOOKUPS = {
    customer: { path: (q) => `/lookups/customers?q=${encodeURIComponent(q)}`, key: 'name',
      label: (r) => `${r.name} · ${r.phone} · ${r.code}` },
    unit: { path: (q) => `/lookups/units?serial=${encodeURIComponent(q)}`, key: 'serial_no',
      label: (r) => `${r.serial_no} · ${r.model} · ${r.customer_name}` },
    technician: { path: (q) => `/lookups/technicians?q=${encodeURIComponent(q)}`, key: 'username',
      label: (r) => `${r.username} · ${r.name} · ${r.branch}` }
  }
  const LOOKUP_DELAY_MS = 250

  function attachLookups (editor, schema, { placeholders = {} } = {}) {
    const { api } = window.Workspace
    for (const [field, prop] of Object.entries((schema && schema.properties) || {})) {
      const lookup = isSchema(prop) && LOOKUPS[prop['x-lookup']]
      const input = lookup && editor.getEditor('root.' + field) && editor.getEditor('root.' + field).input
      if (!input) continue
      const list = document.createElement('datalist')
      list.id = `lookup-${field}`
      input.setAttribute('list', list.id)
      input.setAttribute('autocomplete', 'off')
      input.dataset.lookup = prop['x-lookup']
      if (placeholders[prop['x-lookup']] && !input.placeholder) input.placeholder = placeholders[prop['x-lookup']]
      input.after(list)
      let found = []
      let pending = null
      input.addEventListener('input', () => {
        window.clearTimeout(pending)
        pending = window.setTimeout(async () => {
          const result = await api('GET', lookup.path(input.value))
          found = result.ok && Array.isArray(result.data) ? result.data : []
          list.replaceChildren(...found.map((record) => {
            const option = document.createElement('option')
            option.value = record[lookup.key]
            option.label = lookup.label(record)
            return option
          }))
        }, LOOKUP_DELAY_MS)
      })
      input.addEventListener('change', () => {
        const record = found.find((r) => r[lookup.key] === input.value)
        if (!record) return
        for (const [formField, recordField] of Object.entries(prop['x-fills'] || {})) {
          const other = editor.getEditor('root.' + formField)
          if (other && record[recordField] !== undefined) other.setValue(record[recordField])
        }
      })
    }
  }

  /* A radio group (the customer's four ratings) starts with none chosen, and sends nothing until one
     is: json-editor checks the first choice and sends 0 for an integer left unchosen. */
  class ChoiceRadio extends JSONEditor.defaults.editors.radio {
    getDefault () { return this.schema.default }
    getValue () {
      const chosen = this.value !== undefined && (this.enum_values || []).map(String).includes(String(this.value))
      return chosen ? super.getValue() : undefined
    }
    build () {
      super.build()
      /* json-editor's own handler compares the (string) input with the (integer) value and unchecks
         every radio of an integer choice: the one clicked stays checked. */
      for (const radio of this.radioGroup) {
        radio.addEventListener('change', (e) => { this.radioGroup.forEach((r) => { r.checked = r === e.currentTarget }) })
      }
    }
  }
  JSONEditor.defaults.editors.radio = ChoiceRadio

  /* A read-only list (the parts used, shown to the customer) is shown, not edited: no rows added or
     deleted, every value in it read-only. */
  function readOnlyAll (s) {
    s.readOnly = true
    if (isSchema(s.items)) {
      s.options = { ...(s.options || {}), disable_array_add: true, disable_array_delete: true, disable_array_reorder: true }
      readOnlyAll(s.items)
    }
    if (isSchema(s.properties)) Object.values(s.properties).forEach((p) => isSchema(p) && readOnlyAll(p))
    return s
  }

  /* json-editor 2.17's number editor empties its own input when given a value programmatically
     while untouched (setValue asks getValue, which clears an input whose value is not yet read), so
     a draft's or the case's number came back as an empty field: a number set this way counts as
     touched while it is set. A number the schema gives no default starts empty (json-editor's own
     default is 0, which that bug used to hide): the user types it. */
  const NumberEditor = JSONEditor.defaults.editors.number
  const setNumber = NumberEditor.prototype.setValue
  const numberDefault = NumberEditor.prototype.getDefault
  NumberEditor.prototype.setValue = function (value, initial, fromTemplate) {
    if (value !== undefined && value !== null && value !== '') this.is_dirty = true
    return setNumber.call(this, value, initial, fromTemplate)
  }
  NumberEditor.prototype.getDefault = function () {
    return 'default' in this.schema ? numberDefault.call(this) : undefined
  }

  /* A value is data: it goes into an input's value as it is, never through an HTML parser. */
  JSONEditor.AbstractEditor.prototype.purify = (value) => value
  JSONEditor.AbstractEditor.prototype.cleanText = plainText

  /* json-editor's html theme without its own error messages (the server's are shown instead),
     and with descriptions as text. */
  class QuietTheme extends JSONEditor.defaults.themes.html {
    getErrorMessage () { return document.createTextNode('') }
    addInputError () {}
    removeInputError () {}
    cleanText (text) { return plainText(text) }
    getDescription (text) {
      const el = document.createElement('p')
      el.textContent = plainText(text)
      return el
    }
  }
  JSONEditor.defaults.themes.workspace = QuietTheme

  /* The page's labels: {clear, upload, signHere} for signatures, {addRow, deleteRow} for tables,
     {choose} for a list of choices nothing is chosen in yet. */
  function useStrings (strings) {
    window.SignatureStrings = { clear: strings.clear, upload: strings.upload, signHere: strings.signHere, photo: strings.photo }
    JSONEditor.defaults.languages.workspace = {
      ...JSONEditor.defaults.languages.en,
      button_add_row_title: `${strings.addRow} {{0}}`,
      button_delete_row_title: `${strings.deleteRow} {{0}}`,
      button_delete_row_title_short: strings.deleteRow
    }
    JSONEditor.defaults.language = 'workspace'
  }

  /* The element a keyboard or a screen reader uses for a field: its input, or for a signature or a
     photo (a hidden input holding the data URL) the file input beside it. */
  function fieldInput (fieldEditor) {
    const input = fieldEditor && fieldEditor.input
    if (!input) return null
    if (input.type !== 'hidden') return input
    return fieldEditor.file || fieldEditor.upload || null
  }

  /* Required fields say so to everyone (WCAG 1.3.1, 3.3.2): required / aria-required on the input
     and a visible word after the label, not only a colour or an asterisk. A checkbox always has
     a value, so it is not marked. */
  function markRequired (editor, requiredText) {
    for (const fieldEditor of Object.values(editor.editors || {})) {
      if (!fieldEditor || !fieldEditor.isRequired || !fieldEditor.isRequired()) continue
      if (fieldEditor.schema.type === 'boolean' || fieldEditor.schema.readOnly) continue
      const input = fieldInput(fieldEditor)
      if (!input || input.type === 'checkbox') continue
      if (['INPUT', 'SELECT', 'TEXTAREA'].includes(input.tagName)) {
        input.required = true
        input.setAttribute('aria-required', 'true')
      } else { /* a group of radio buttons (a rating): each radio is required, the group's box is no input */
        input.querySelectorAll('input[type=radio]').forEach((radio) => { radio.required = true })
      }
      const label = fieldEditor.label
      if (label && !label.querySelector('.required-mark')) {
        const mark = document.createElement('span')
        mark.className = 'required-mark'
        mark.textContent = ` (${requiredText})`
        label.appendChild(mark)
      }
    }
  }

  /* A json-editor in ``container`` showing the task form ``schema`` as staff see it. */
  function render (container, schema, { language, strings }) {
    useStrings(strings)
    const editor = new JSONEditor(container, {
      schema: adapt(schema, language, strings.choose),
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
    editor.on('ready', () => {
      markRequired(editor, strings.required || '*')
      attachLookups(editor, schema, { placeholders: strings.lookups || {} })
      /* Date and time inputs carry the page's language (zh-Hans / en) for the browser's picker. */
      container.querySelectorAll('input[type="date"], input[type="datetime-local"], input[type="time"]')
        .forEach((input) => { input.lang = document.documentElement.lang })
    })
    return editor
  }

  window.TaskForm = { adapt, render, fieldInput, attachLookups }
})()
