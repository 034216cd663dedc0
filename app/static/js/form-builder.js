/* The workbench's form builder: a user task's form as a list of fields added from a palette (text,
   number, date, choice with options, yes/no, table of rows, signature, photo/file upload), each with
   its key, title in 中文 and English, required and help text. It edits the JSON Schema itself (the
   JSON Schema tab shows it): fields it does not know are kept as they are and listed by key.
   No json-schema form builder on npm fits here (form-js writes its own format, the JSON Schema ones
   are React components); this one writes only the keywords form-render.js shows. */
(function () {
  'use strict'
  const KINDS = ['text', 'number', 'date', 'choice', 'yesno', 'table', 'signature', 'photo', 'file']
  const TEMPLATES = {
    text: () => ({ type: 'string', maxLength: 200 }),
    number: () => ({ type: 'number' }),
    date: () => ({ type: 'string', format: 'date' }),
    choice: () => ({ type: 'string', enum: ['a', 'b'] }),
    yesno: () => ({ type: 'boolean' }),
    table: () => ({ type: 'array', format: 'table', items: { type: 'object', properties: { item: { type: 'string', title: 'item' } } } }),
    signature: () => ({ type: 'string', minLength: 1, 'x-widget': 'signature' }),
    photo: () => ({ type: 'string', contentMediaType: 'image/*' }),
    file: () => ({ type: 'string', contentMediaType: 'application/pdf' })
  }

  function kindOf (field) {
    if (!field || typeof field !== 'object') return null
    if (field['x-widget'] === 'signature') return 'signature'
    if (typeof field.contentMediaType === 'string') return field.contentMediaType.startsWith('image/') ? 'photo' : 'file'
    if (field.type === 'boolean') return 'yesno'
    if (field.type === 'array' && field.items && field.items.type === 'object') return 'table'
    if (Array.isArray(field.enum)) return 'choice'
    if (field.type === 'string' && field.format === 'date') return 'date'
    if (field.type === 'number' || field.type === 'integer') return 'number'
    if (field.type === 'string') return 'text'
    return null
  }

  function splitTitle (title) {
    const parts = (title || '').split(' / ')
    return parts.length === 2 ? parts : [title || '', '']
  }

  function joinTitle (chinese, english) {
    chinese = chinese.trim()
    english = english.trim()
    return chinese && english ? `${chinese} / ${english}` : chinese || english
  }

  function list (text) {
    return text.split(',').map((v) => v.trim()).filter(Boolean)
  }

  function element (tag, attrs = {}, ...children) {
    const node = document.createElement(tag)
    for (const [key, value] of Object.entries(attrs)) {
      if (key === 'text') node.textContent = value
      else if (key in node && typeof value !== 'string') node[key] = value
      else node.setAttribute(key, value)
    }
    node.append(...children)
    return node
  }

  /* Render the builder of ``schema`` into ``box``; ``changed(schema)`` after each edit. */
  function render (box, schema, { strings, changed, readOnly }) {
    const S = strings
    schema.properties = schema.properties && typeof schema.properties === 'object' ? schema.properties : {}
    const required = () => (Array.isArray(schema.required) ? schema.required : [])
    const commit = () => {
      if (!required().length) delete schema.required
      changed(schema)
      draw()
    }

    function uniqueKey (kind) {
      let n = 1
      while (`${kind}_${n}` in schema.properties) n++
      return `${kind}_${n}`
    }

    function add (kind) {
      const key = uniqueKey(kind)
      schema.properties[key] = { ...TEMPLATES[kind](), title: `${S.kinds[kind]} / ${kind}` }
      commit()
      const row = box.querySelector(`[data-key="${key}"] .fb-key`)
      if (row) row.focus()
    }

    function rename (from, to) {
      to = to.trim()
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(to) || to in schema.properties) return draw()
      schema.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k === from ? to : k, v]))
      schema.required = required().map((k) => (k === from ? to : k))
      commit()
    }

    function move (key, step) {
      const entries = Object.entries(schema.properties)
      const at = entries.findIndex(([k]) => k === key)
      const to = at + step
      if (to < 0 || to >= entries.length) return
      ;[entries[at], entries[to]] = [entries[to], entries[at]]
      schema.properties = Object.fromEntries(entries)
      commit()
    }

    function remove (key) {
      delete schema.properties[key]
      schema.required = required().filter((k) => k !== key)
      commit()
    }

    function fieldRow (key, field) {
      const kind = kindOf(field)
      const row = element('li', { class: 'fb-field', 'data-key': key, 'data-kind': kind || 'other' })
      const head = element('div', { class: 'fb-head' },
        element('strong', { class: 'fb-kind', text: kind ? S.kinds[kind] : S.other }))
      const keyInput = element('input', { class: 'fb-key', value: key, spellcheck: 'false', 'aria-label': S.key })
      keyInput.addEventListener('change', () => rename(key, keyInput.value))
      head.append(' ', keyInput)
      if (!readOnly) {
        for (const [label, action] of [['↑', () => move(key, -1)], ['↓', () => move(key, 1)], ['✕', () => remove(key)]]) {
          const button = element('button', { type: 'button', class: 'fb-tool', text: label, title: label === '✕' ? S.remove : S.move })
          button.addEventListener('click', action)
          head.append(button)
        }
      }
      row.append(head)
      if (!kind) return row
      const [zh, en] = splitTitle(field.title)
      const titleZh = element('input', { class: 'fb-title-zh', value: zh, lang: 'zh-Hans', 'aria-label': S.titleZh, placeholder: S.titleZh })
      const titleEn = element('input', { class: 'fb-title-en', value: en, lang: 'en', 'aria-label': S.titleEn, placeholder: S.titleEn })
      const setTitle = () => { field.title = joinTitle(titleZh.value, titleEn.value); commit() }
      titleZh.addEventListener('change', setTitle)
      titleEn.addEventListener('change', setTitle)
      const help = element('input', { class: 'fb-help', value: field.description || '', 'aria-label': S.help, placeholder: S.help })
      help.addEventListener('change', () => {
        if (help.value.trim()) field.description = help.value.trim()
        else delete field.description
        commit()
      })
      const isRequired = element('input', { type: 'checkbox', class: 'fb-required', checked: required().includes(key) })
      isRequired.addEventListener('change', () => {
        schema.required = isRequired.checked ? [...required().filter((k) => k !== key), key] : required().filter((k) => k !== key)
        commit()
      })
      row.append(element('div', { class: 'fb-titles' }, titleZh, titleEn), help,
        element('label', { class: 'fb-check' }, isRequired, ' ', S.required))
      if (kind === 'choice') {
        const options = element('input', { class: 'fb-options', value: field.enum.join(', '), 'aria-label': S.options, placeholder: S.options })
        options.addEventListener('change', () => { field.enum = list(options.value); commit() })
        row.append(element('label', { class: 'fb-sub', text: S.options }), options)
      }
      if (kind === 'table') {
        const columns = Object.keys(field.items.properties || {})
        const input = element('input', { class: 'fb-columns', value: columns.join(', '), 'aria-label': S.columns, placeholder: S.columns })
        input.addEventListener('change', () => {
          const old = field.items.properties || {}
          field.items.properties = Object.fromEntries(list(input.value).map((c) => [c, old[c] || { type: 'string', title: c }]))
          commit()
        })
        row.append(element('label', { class: 'fb-sub', text: S.columns }), input)
      }
      if (kind === 'photo' || kind === 'file') {
        const type = element('input', { class: 'fb-media', value: field.contentMediaType, 'aria-label': 'contentMediaType' })
        type.addEventListener('change', () => { field.contentMediaType = type.value.trim() || 'image/*'; commit() })
        row.append(element('label', { class: 'fb-sub', text: 'contentMediaType' }), type)
      }
      return row
    }

    function draw () {
      const palette = element('div', { class: 'fb-palette', role: 'toolbar', 'aria-label': S.palette })
      for (const kind of KINDS) {
        const button = element('button', { type: 'button', class: 'fb-add', 'data-kind': kind, text: `+ ${S.kinds[kind]}` })
        button.addEventListener('click', () => add(kind))
        palette.append(button)
      }
      const fields = element('ol', { class: 'fb-fields' })
      for (const [key, field] of Object.entries(schema.properties)) fields.append(fieldRow(key, field))
      if (!fields.children.length) fields.append(element('li', { class: 'muted', text: S.empty }))
      box.replaceChildren(...(readOnly ? [] : [palette]), fields)
      if (readOnly) for (const input of box.querySelectorAll('input')) input.disabled = true
    }

    draw()
  }

  window.FormBuilder = { render, kindOf }
})()
