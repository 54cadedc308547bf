// Show an e-form field marked [data-visible-if] only while its condition holds, and while the
// field it depends on is itself shown. Without JavaScript every such field shows with its
// "(chỉ điền nếu …)" hint; the server decides what applies and, when something typed into a
// field that does not apply would be dropped, says so instead of dropping it silently.
document.addEventListener("DOMContentLoaded", () => {
  const fields = document.querySelectorAll("[data-visible-if]");
  const inputsOf = (form, name) => (form ? form.querySelectorAll(`[name="${CSS.escape(name)}"]`) : []);
  const valueOf = (inputs) => {
    for (const input of inputs) {
      if (input.type === "checkbox") return input.checked;
      if (input.type === "radio") { if (input.checked) return input.value; continue; }
      return input.value;
    }
    return "";
  };
  const holds = (rule, value) => ("equals" in rule ? value === rule.equals
    : "in" in rule ? rule.in.includes(value) : value !== rule.not_equals);
  const update = () => fields.forEach((field) => {
    const rule = JSON.parse(field.dataset.visibleIf);
    const inputs = inputsOf(field.closest("form"), rule.field);
    if (inputs.length === 0) return; // settled by the server (another page's answer)
    // Fields come in page order, so the controlling field was updated just before.
    const controller = inputs[0].closest("[data-visible-if]");
    field.hidden = (controller !== null && controller.hidden) || !holds(rule, valueOf(inputs));
  });
  document.addEventListener("change", update);
  update();
});
