// Suggestions for the leaders' typed filters (leaders/_filters.html): as one types, the scopes or
// procedures whose name contains the text come from the URL in data-choices into the field's
// <datalist>. Without scripts the server still resolves what was typed.
document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("input[data-choices]")) {
    const list = document.getElementById(input.getAttribute("list"));
    let timer;
    let asked = "";
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const text = input.value.trim();
        if (text.length < 2 || text === asked) return;
        asked = text;
        try {
          const response = await fetch(`${input.dataset.choices}&q=${encodeURIComponent(text)}`, {
            headers: { Accept: "application/json" },
            credentials: "same-origin",
          });
          if (!response.ok) return;
          const { results } = await response.json();
          list.replaceChildren(
            ...results.map(({ label }) => {
              const option = document.createElement("option");
              option.value = label;
              return option;
            }),
          );
        } catch {
          // Offline or refused: the field still works as plain text.
        }
      }, 200);
    });
  }
});
