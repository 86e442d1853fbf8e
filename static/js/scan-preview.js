/* The scan upload's preview: the files chosen, in order, as thumbnails with 上移/下移/移除, so a school
 * that photographed its form page by page checks the order before uploading. The input's files
 * are set to the order shown (DataTransfer), so the form sends them as seen. Without JavaScript,
 * or in a browser that cannot set an input's files, the input stays a plain multiple-file input
 * and sends the files in the order they were chosen.
 *
 * Thumbnails are drawn on a canvas from createImageBitmap: no blob: or data: address is needed,
 * which the Content-Security-Policy's img-src would have to allow. */
(function () {
  "use strict";
  var input = document.querySelector("input[type=file][data-scan-preview]");
  if (!input || typeof DataTransfer !== "function") { return; }
  try { new DataTransfer().items.add(new File([""], "x")); } catch (error) { return; }

  var THUMB = 96;
  var files = [];
  var list = document.createElement("ol");
  list.className = "scan-preview list-unstyled d-flex flex-column gap-2 mt-2";
  list.setAttribute("aria-label", "已选择的扫描件（按页码顺序）");
  var status = document.createElement("p");
  status.className = "small text-body-secondary mb-0";
  status.setAttribute("role", "status");
  // After the field's block (crispy's wrapper: label, input, error, help), so the field's own
  // message and help stay next to it.
  var block = document.getElementById("div_" + input.id) || input;
  block.insertAdjacentElement("afterend", status);
  status.insertAdjacentElement("afterend", list);

  function sync() {
    var transfer = new DataTransfer();
    files.forEach(function (file) { transfer.items.add(file); });
    input.files = transfer.files;
  }

  function thumbnail(file) {
    var box = document.createElement("div");
    box.className = "scan-preview-thumb border rounded bg-body-secondary d-flex align-items-center justify-content-center flex-shrink-0";
    if (file.type === "application/pdf" || /\.pdf$/i.test(file.name)) {
      box.textContent = "PDF";
      return box;
    }
    if (typeof window.createImageBitmap !== "function") { box.textContent = "图片"; return box; }
    window.createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(THUMB / bitmap.width, THUMB / bitmap.height);
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", "预览：" + file.name);
      box.textContent = "";
      box.appendChild(canvas);
    }, function () { box.textContent = "无法预览"; });
    return box;
  }

  function button(text, label, disabled, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-sm btn-outline-secondary";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.disabled = disabled;
    b.addEventListener("click", onClick);
    return b;
  }

  function move(from, to, focusText) {
    var moved = files.splice(from, 1)[0];
    files.splice(to, 0, moved);
    render();
    // Keep the keyboard where it was: on the same button of the file that moved, if it still has one.
    var item = list.children[to];
    var again = item && Array.prototype.find.call(item.querySelectorAll("button"), function (b) {
      return b.textContent === focusText && !b.disabled;
    });
    (again || (item && item.querySelector("button:not([disabled])")) || input).focus();
  }

  function render() {
    list.textContent = "";
    files.forEach(function (file, index) {
      var item = document.createElement("li");
      item.className = "d-flex align-items-center gap-2 border rounded p-2";
      item.appendChild(thumbnail(file));
      var text = document.createElement("div");
      text.className = "flex-grow-1 text-break small";
      var order = document.createElement("strong");
      order.textContent = "第 " + (index + 1) + " 份 ";
      text.appendChild(order);
      text.appendChild(document.createTextNode(file.name));
      item.appendChild(text);
      var actions = document.createElement("div");
      actions.className = "d-flex gap-1 flex-shrink-0";
      actions.appendChild(button("↑", "上移 " + file.name, index === 0, function () { move(index, index - 1, "↑"); }));
      actions.appendChild(button("↓", "下移 " + file.name, index === files.length - 1, function () { move(index, index + 1, "↓"); }));
      actions.appendChild(button("移除", "移除 " + file.name, false, function () {
        files.splice(index, 1);
        render();
        var next = list.children[Math.min(index, files.length - 1)];
        ((next && next.querySelector("button:not([disabled])")) || input).focus();
      }));
      item.appendChild(actions);
      list.appendChild(item);
    });
    status.textContent = files.length > 1 ? "已选择 " + files.length + " 个文件，将按以下顺序合成为一个 PDF。"
      : files.length ? "已选择 1 个文件。" : "";
    sync();
  }

  input.addEventListener("change", function () {
    files = Array.prototype.slice.call(input.files);
    render();
  });
})();
