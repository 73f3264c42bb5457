// Keyboard shortcuts on the review page: m / n / u decide, j / k go to the next / previous pair.
// Elements opt in with data-key; keys typed into the note field are left alone.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.isComposing) {
      return;
    }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    var key = event.key.toLowerCase();
    if (!/^[mnujk]$/.test(key)) {
      return;
    }
    var element = document.querySelector('[data-key="' + key + '"]');
    if (element) {
      event.preventDefault();
      element.click();
    }
  });
})();
