// Saves an e-form page a moment after the person stops typing, so a draft survives a closed
// tab or a lost connection. The server answers with the dossier's new revision, which the
// page keeps so its own "continue" button is not refused as stale.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-autosave]");
  if (!form) return;
  const status = document.getElementById("autosave-status");
  const revision = form.querySelector('input[name="revision"]');
  const token = form.querySelector('input[name="csrfmiddlewaretoken"]');
  let timer = null;
  const save = async () => {
    const response = await fetch(form.action || window.location.href, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Motcua-Autosave": "1", "X-CSRFToken": token ? token.value : "" },
      credentials: "same-origin",
    });
    if (response.ok) {
      const body = await response.json();
      if (revision) revision.value = body.revision;
      if (status) status.textContent = status.dataset.saved + " " + new Date().toLocaleTimeString("vi-VN");
    } else if (status) {
      status.textContent = status.dataset.failed;
    }
  };
  const schedule = () => { clearTimeout(timer); timer = setTimeout(save, 1500); };
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
});
