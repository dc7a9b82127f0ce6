// The highlight picker without a reload: "Highlight" posts its form in the background, the server answers with
// the post's row as it now reads ("Highlighted: say why"), and that row replaces the old one where it stood, so
// the reader keeps their place; focus moves to the new highlight's link, the next Tab reaches the next post.
// Without this script the same form posts and the page comes back at the same row (portfolio/dossiers/views.py).
"use strict";

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.classList.contains("js-highlight-add")) {
    return;
  }
  event.preventDefault();
  const row = form.closest("tr");
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    });
    if (!response.ok) {
      throw new Error(`The server answered ${response.status}`);
    }
    const template = document.createElement("template");
    template.innerHTML = (await response.text()).trim();
    const newRow = template.content.querySelector("tr");
    row.replaceWith(newRow);
    const status = document.getElementById("picker-status");
    if (status) {
      status.textContent = "Post highlighted. Say why it matters under “In this dossier”.";
    }
    newRow.querySelector("[data-new-highlight]").focus();
  } catch (error) {
    // Whatever went wrong, the plain form still works: post it the ordinary way (the page reloads).
    form.submit();
  }
});
