/* Inbox and task page actions: claim, release, hand over to a colleague, open a new case. */
(function () {
  'use strict'
  const { api, flash, flashNext } = window.Workspace

  async function act (actions, action) {
    const taskId = actions.dataset.taskId
    let body
    let done = actions.dataset['done' + action[0].toUpperCase() + action.slice(1)] || ''
    if (action === 'delegate') {
      const colleague = actions.querySelector('[data-role="colleague"]')
      if (!colleague.value) return
      body = { username: colleague.value }
      done = done.replace('{user}', colleague.selectedOptions[0].textContent.trim())
    }
    const result = await api('POST', `/tasks/${taskId}/${action}`, body)
    if (result.ok) {
      if (done) flashNext(done)
      window.location.reload()
    } else {
      flash((result.data && result.data.message) || `HTTP ${result.status}`)
    }
  }

  document.addEventListener('click', (event) => {
    const button = event.target.closest('.task-actions [data-action]')
    if (button) act(button.closest('.task-actions'), button.dataset.action)
  })

  /* The inbox's tabs (links to each list) move with the arrow keys, as tabs do (WAI-ARIA tabs). */
  const tabs = Array.from(document.querySelectorAll('.tabs [role="tab"]'))
  tabs.forEach((tab, i) => tab.addEventListener('keydown', (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key]
    if (!step) return
    event.preventDefault()
    tabs[(i + step + tabs.length) % tabs.length].focus()
  }))

  const start = document.getElementById('start-case')
  if (start) {
    start.addEventListener('submit', async (event) => {
      event.preventDefault()
      const choice = start.elements.process
      if (!choice.value) { choice.focus(); return } /* no process preselected: one must be chosen */
      const result = await api('POST', `/processes/${encodeURIComponent(choice.value)}/instances`, {})
      if (result.ok) {
        flashNext(start.dataset.done.replace('{case}', result.data.case_no || `#${result.data.id}`)
          .replace('{process}', choice.selectedOptions[0].textContent.trim()))
        window.location.assign(`/cases/${result.data.id}/next`)
      } else {
        flash((result.data && result.data.message) || `HTTP ${result.status}`)
      }
    })
  }
})()
