// Show an e-form field marked [data-visible-if] only while its condition holds.
// Without JavaScript every field shows with its "(chỉ điền nếu …)" hint and the server
// ignores the hidden ones, so this is only a convenience.
document.addEventListener("DOMContentLoaded", () => {
  const fields = document.querySelectorAll("[data-visible-if]");
  const valueOf = (form, name) => {
    const inputs = form ? form.querySelectorAll(`[name="${CSS.escape(name)}"]`) : [];
    if (inputs.length === 0) return undefined; // condition on another page or inside a group
    for (const input of inputs) {
      if (input.type === "checkbox") return input.checked;
      if (input.type === "radio") { if (input.checked) return input.value; continue; }
      return input.value;
    }
    return "";
  };
  const update = () => fields.forEach((field) => {
    const rule = JSON.parse(field.dataset.visibleIf);
    const value = valueOf(field.closest("form"), rule.field);
    if (value === undefined) return;
    const shown = "equals" in rule ? value === rule.equals
      : "in" in rule ? rule.in.includes(value) : value !== rule.not_equals;
    field.hidden = !shown;
  });
  document.addEventListener("change", update);
  update();
});
