// @ts-check

/** @param {unknown} reason */
const describe = (reason) => (reason instanceof Error ? reason.message : String(reason));

/**
 * Shows a problem in the page's alert box (announced by screen readers), never only in the console.
 * @param {string} message
 */
function showPageError(message) {
  const box = document.getElementById('page-error');
  if (box === null) return;
  box.hidden = false;
  box.textContent = message;
}

/** Makes every uncaught error and rejected promise visible on the page. */
export function reportUnexpectedErrors() {
  window.addEventListener('error', (event) => {
    showPageError(
      `Something went wrong on this page: ${describe(event.error ?? event.message)}. Reload to try again.`,
    );
  });
  window.addEventListener('unhandledrejection', (event) => {
    showPageError(`Something went wrong on this page: ${describe(event.reason)}. Reload to try again.`);
  });
}
