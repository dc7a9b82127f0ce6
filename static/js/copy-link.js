// The reviewer links' "Copy the link" buttons (templates/dossiers/versions.html). Without this script the
// buttons stay hidden and the whole address sits in a read-only field to select and copy by hand; with it, a
// button copies the address, and where the clipboard is refused it selects the field for Ctrl+C / Cmd+C.
"use strict";

function say(field, message) {
  const status = document.getElementById(`${field.id}-status`);
  if (status) {
    status.textContent = message;
  }
}

function selectField(field) {
  field.focus();
  field.select();
}

document.querySelectorAll("button.js-copy-link").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  if (!field) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value.trim());
      say(field, "Copied.");
    } catch (error) {
      selectField(field);
      say(field, "Selected: press Ctrl+C (Cmd+C on a Mac) to copy.");
    }
  });
});

// A click in the field selects the whole address, so it is never copied cut short.
document.querySelectorAll("textarea.share-url").forEach((field) => {
  field.addEventListener("focus", () => field.select());
});
