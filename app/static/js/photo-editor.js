/* A json-editor editor for string fields carrying a picture or a file ("contentMediaType", e.g.
   "image/jpeg": the fields the server stores as files, services/cases/attachments.py): a file input that opens the phone's camera
   (accept="image/*" capture="environment"; a desktop shows its file chooser), the picture shown
   once taken; the value is the file's data URL, which the server stores as an attachment of the
   case (services/cases/attachments.py). Labels come from window.SignatureStrings.photo. */
(function () {
  'use strict'
  class PhotoEditor extends window.DataUrlEditor {
    build () {
      const strings = window.SignatureStrings || {}
      this.buildBox('photo-box')
      const media = String(this.schema.contentMediaType)
      this.file = document.createElement('input')
      this.file.type = 'file'
      this.file.className = 'photo-input'
      this.file.accept = media.startsWith('image/') ? 'image/*' : media
      if (media.startsWith('image/')) this.file.setAttribute('capture', 'environment')
      this.file.setAttribute('aria-label', this.getTitle() + (strings.photo ? ` — ${strings.photo}` : ''))
      this.preview = document.createElement('img')
      this.preview.className = 'photo-preview'
      this.preview.alt = this.getTitle()
      this.preview.hidden = true
      this.box.append(this.file, this.preview)
      this.control = this.theme.getFormControl(this.label, this.box, this.description)
      this.container.appendChild(this.control)
      this.file.addEventListener('change', () => this.readFile(this.file, (value) => this.commit(value)))
      if (this.schema.readOnly) this.disable(true)
    }

    show (value) {
      const picture = typeof value === 'string' && value.startsWith('data:image/')
      this.preview.hidden = !picture
      if (picture) this.preview.src = value
      else this.preview.removeAttribute('src')
    }

    commit (value) {
      this.value = value
      this.input.value = value
      this.show(value)
      this.is_dirty = true
      this.onChange(true)
    }

    setValue (value) {
      value = typeof value === 'string' ? value : ''
      if (value === this.value) return
      this.value = value
      this.input.value = value
      this.show(value)
      this.onChange(false)
    }

    disable (alwaysDisabled) {
      if (this.file) this.file.disabled = true
      super.disable(alwaysDisabled)
    }

    enable () {
      if (this.always_disabled) return
      if (this.file) this.file.disabled = false
      super.enable()
    }
  }

  window.JSONEditor.defaults.editors.photo = PhotoEditor
  window.JSONEditor.defaults.resolvers.unshift(
    (schema) => schema.type === 'string' && 'contentMediaType' in schema && 'photo'
  )
})()
