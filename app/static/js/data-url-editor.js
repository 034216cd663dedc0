/* The base of the json-editor editors whose value is a file's data URL (signature-editor.js,
   photo-editor.js): the field's label and description, the hidden input carrying the value, the box
   holding the editor's own controls, and reading a chosen file as a data URL. */
(function () {
  'use strict'
  const StringEditor = window.JSONEditor.defaults.editors.string

  class DataUrlEditor extends StringEditor {
    /* The label, description and hidden value input; returns the (empty) box of the given class. */
    buildBox (className) {
      if (!this.options.compact) this.header = this.label = this.theme.getFormInputLabel(this.getTitle(), this.isRequired())
      if (this.schema.description) this.description = this.theme.getFormInputDescription(this.translateProperty(this.schema.description))
      this.input = this.theme.getFormInputField('hidden')
      this.container.appendChild(this.input)
      this.box = document.createElement('div')
      this.box.className = className
      return this.box
    }

    /* The first file of a file input as a data URL, handed to `then`. */
    readFile (input, then) {
      const file = input.files[0]
      if (!file) return
      const reader = new FileReader()
      reader.addEventListener('load', () => then(reader.result))
      reader.readAsDataURL(file)
    }
  }

  window.DataUrlEditor = DataUrlEditor
})()
