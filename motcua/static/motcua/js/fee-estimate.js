// Keeps the fee box of an e-form page in step with the answers being typed: the server quotes
// them (nothing is saved, the amount is never computed here) and sends the box back. Without
// this script the box shows the saved answers and the review page the final amount.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-autosave]");
  let box = document.querySelector("[data-fee-estimate]");
  if (!form || !box) return;
  const token = form.querySelector('input[name="csrfmiddlewaretoken"]');
  let timer = null;
  let asked = 0;
  const refresh = async () => {
    const ticket = ++asked;
    const response = await fetch(box.dataset.feeEstimate, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-CSRFToken": token ? token.value : "" },
      credentials: "same-origin",
    });
    // Only the newest answer counts; an older, slower one is dropped.
    if (!response.ok || response.status === 204 || ticket !== asked) return;
    const fresh = document.createElement("div");
    fresh.innerHTML = await response.text();
    const replacement = fresh.querySelector("[data-fee-estimate]");
    if (replacement) { box.replaceWith(replacement); box = replacement; }
  };
  const schedule = () => { clearTimeout(timer); timer = setTimeout(refresh, 500); };
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
});
