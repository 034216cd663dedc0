/* Inbox and task page actions: claim, release, hand over to a colleague, open a new case. */
(function () {
  'use strict'
  const { api, flash } = window.Workspace

  async function act (actions, action) {
    const taskId = actions.dataset.taskId
    let body
    if (action === 'delegate') {
      const username = actions.querySelector('[data-role="colleague"]').value
      if (!username) return
      body = { username }
    }
    const result = await api('POST', `/tasks/${taskId}/${action}`, body)
    if (result.ok) {
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
      const key = start.elements.process.value
      const result = await api('POST', `/processes/${encodeURIComponent(key)}/instances`, {})
      if (result.ok) {
        window.location.assign(`/cases/${result.data.id}/next`)
      } else {
        flash((result.data && result.data.message) || `HTTP ${result.status}`)
      }
    })
  }
})()
