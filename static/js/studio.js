// veoui studio: what htmx can't do. Checks the form against the same rules table as the server, shows the
// cost as options change, and manages pictures (drop, pick, paste, reorder, remove) in the form's slots.
(function () {
  "use strict";

  const configElement = document.getElementById("veoui-config");
  if (!configElement) return;
  const config = JSON.parse(configElement.textContent);
  const labels = config.labels;
  // The server's own messages, with its placeholders: %(name)s or %(name)d.
  const format = (text, values) => text.replace(/%\((\w+)\)[sd]/g, (_, key) => String(values[key]));
  // Numbers and prices written the way the page's language writes them (1,250.50 or 1250,50).
  const language = document.documentElement.lang || undefined;
  const number = new Intl.NumberFormat(language, { maximumFractionDigits: 2 });
  const money = new Intl.NumberFormat(language, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  // The pictures of the form last sent: kept when the server sends the form back, but for those it refused.
  let sent = null;
  // The work in the form when the person changes tab: its prompt, settings and pictures go on to the next mode.
  let carried = null;
  const CARRIED_FIELDS = ["seed", "watermark", "count", "visibility"];

  // JPEG, PNG or WebP, by what the file's first bytes say it is (its name and type may say otherwise).
  function isPicture(bytes) {
    const text = (from, to) => String.fromCharCode(...bytes.slice(from, to));
    if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return true;
    if (bytes[0] === 0x89 && text(1, 4) === "PNG") return true;
    return text(0, 4) === "RIFF" && text(8, 12) === "WEBP";
  }

  function decoded(src) {
    return new Promise((resolve, reject) => {
      const probe = new Image();
      probe.onload = () => resolve(probe);
      probe.onerror = reject;
      probe.src = src;
    });
  }

  function setup(form) {
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    const mode = config.rules.modes[form.dataset.mode];
    const images = form.querySelector(".images");
    const items = [];
    const arriving = carried;
    carried = null;
    // Pictures this mode can't use wait here for a mode that can (from frames to text and on to reference).
    let waiting = arriving && !images ? arriving.items : [];

    const field = (name) => form.querySelector(`[data-error-for="${name}"]`);
    function markInvalid(control, invalid) {
      if (!control || !control.setAttribute) return;
      if (invalid) control.setAttribute("aria-invalid", "true");
      else control.removeAttribute("aria-invalid");
    }
    function showError(name, message) {
      if (name === "images") {
        countProblem = message || "";
        showPictureMessages();
        return;
      }
      const slot = field(name);
      if (slot) slot.textContent = message || "";
      markInvalid(form.elements[name], message);
    }

    // Next to the pictures: why each picture not taken was refused (by the browser when it was added, or by the
    // server after Generate), kept until more pictures are added; then what is wrong with how many there are.
    const refusals = [];
    let countProblem = "";
    function showPictureMessages() {
      const slot = field("images");
      if (!slot) return;
      const lines = [...refusals, countProblem].filter(Boolean);
      markInvalid(images, lines.length);
      // Written only when it changes: the slot is announced to screen readers each time it is.
      if (slot.dataset.shown === lines.join("\n")) return;
      slot.dataset.shown = lines.join("\n");
      slot.replaceChildren(
        ...lines.map((text) => {
          const line = document.createElement("span");
          line.className = "field-error__line";
          line.textContent = text;
          return line;
        }),
      );
    }

    // --- cost ------------------------------------------------------------------------------------------
    function updateCost() {
      const checked = form.querySelector('input[name="model"]:checked');
      const target = form.querySelector("[data-cost-credits]");
      if (!checked || !target) return;
      const count = Number(form.elements.count ? form.elements.count.value : 1) || 1;
      const credits = config.pricing.models[checked.value] * count;
      const usd = money.format(credits * config.pricing.usdPerCredit);
      target.textContent = format(labels.credits, { credits: number.format(credits), usd: usd });
      updateCreditsLeft(credits);
    }

    // "You have N credits left": amber, with the reason, when this video's cost would not fit.
    function updateCreditsLeft(cost) {
      const box = form.querySelector("[data-credits-left]");
      if (!box) return;
      const left = Number(box.dataset.creditsLeft);
      const over = cost > left;
      box.classList.toggle("credits-left--over", over);
      const reason = box.querySelector("[data-credits-left-over]");
      reason.hidden = !over;
      reason.textContent = over ? format(labels.overLeft, { cost: number.format(cost), left: number.format(left) }) : "";
    }

    // --- prompt counter ----------------------------------------------------------------------------------
    const prompt = form.elements.prompt;
    if (arriving) {
      if (!prompt.value) prompt.value = arriving.prompt;
      for (const name of CARRIED_FIELDS) if (form.elements[name]) form.elements[name].value = arriving.fields[name];
      form.elements.enable_translation.checked = arriving.fields.enable_translation;
    }
    const panel = form.closest("#studio-panel");
    if (panel) {
      panel.addEventListener("htmx:beforeRequest", (event) => {
        if (!event.detail.elt.matches("[data-keeps-work]")) return;
        const fields = { enable_translation: form.elements.enable_translation.checked };
        for (const name of CARRIED_FIELDS) if (form.elements[name]) fields[name] = form.elements[name].value;
        carried = { prompt: prompt.value, fields: fields, items: images ? items.slice() : waiting };
      });
    }

    // --- More settings stays open, or closed, as the person last left it -------------------------------------
    const more = form.querySelector("[data-remember]");
    if (more) {
      const key = `veoui.${more.dataset.remember}`;
      try {
        if (localStorage.getItem(key) === "open") more.open = true;
        more.addEventListener("toggle", () => localStorage.setItem(key, more.open ? "open" : "closed"));
      } catch (error) {
        // Storage turned off: it simply starts closed.
      }
    }
    const counter = form.querySelector('[data-counter="prompt"]');
    function updateCounter() {
      if (!counter) return;
      const left = config.rules.promptMaxLength - prompt.value.length;
      counter.textContent = left < 300 ? format(labels.charsLeft, { n: left }) : "";
    }

    // --- seed --------------------------------------------------------------------------------------------
    const randomSeed = form.querySelector("[data-random-seed]");
    if (randomSeed) {
      randomSeed.addEventListener("click", () => {
        const { min, max } = config.rules.seed;
        form.elements.seed.value = String(min + Math.floor(Math.random() * (max - min + 1)));
        showError("seed", "");
      });
    }

    // --- pictures ----------------------------------------------------------------------------------------
    function roleLabel(index) {
      if (form.dataset.mode === "FIRST_AND_LAST_FRAMES_2_VIDEO") return index === 0 ? labels.first : labels.last;
      return format(labels.reference, { n: index + 1 });
    }

    function syncSlots() {
      for (let slot = 1; slot <= mode.maxImages; slot++) {
        const fileInput = form.elements[`image_${slot}`];
        const urlInput = form.elements[`image_url_${slot}`];
        const item = items[slot - 1];
        const transfer = new DataTransfer();
        if (item && item.file) transfer.items.add(item.file);
        fileInput.files = transfer.files;
        urlInput.value = item && !item.file ? item.src : "";
      }
    }

    // Auto keeps the centre of the first picture in whichever of 16:9 and 9:16 is closer to its shape.
    function autoCrop(width, height) {
      const target = width >= height ? 16 / 9 : 9 / 16;
      if (width / height > target) {
        const kept = height * target;
        return { x: (width - kept) / 2, y: 0, w: kept, h: height, wide: target > 1 };
      }
      const kept = width / target;
      return { x: 0, y: (height - kept) / 2, w: width, h: kept, wide: target > 1 };
    }

    function drawCropPreview(canvas, item, crop) {
      const longest = 240;
      const scale = longest / Math.max(item.width, item.height);
      const ratio = window.devicePixelRatio || 1;
      const w = Math.round(item.width * scale);
      const h = Math.round(item.height * scale);
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(h * ratio);
      canvas.style.width = `${w}px`;
      canvas.style.height = `${h}px`;
      const context = canvas.getContext("2d");
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.drawImage(item.image, 0, 0, w, h);
      const box = { x: crop.x * scale, y: crop.y * scale, w: crop.w * scale, h: crop.h * scale };
      context.fillStyle = "rgba(0, 0, 0, 0.6)";
      context.fillRect(0, 0, w, box.y);
      context.fillRect(0, box.y + box.h, w, h - box.y - box.h);
      context.fillRect(0, box.y, box.x, box.h);
      context.fillRect(box.x + box.w, box.y, w - box.x - box.w, box.h);
      context.lineWidth = 3;
      context.strokeStyle = "#ffffff";
      context.strokeRect(box.x + 1.5, box.y + 1.5, box.w - 3, box.h - 3);
      context.setLineDash([6, 4]);
      context.lineWidth = 1.5;
      context.strokeStyle = "#4338ca";
      context.strokeRect(box.x + 1.5, box.y + 1.5, box.w - 3, box.h - 3);
    }

    function updateAutoHint() {
      const hint = form.querySelector("[data-auto-hint]");
      if (!hint) return;
      const preview = form.querySelector("[data-auto-preview]");
      const auto = form.querySelector('input[name="aspect_ratio"][value="Auto"]');
      const first = items[0];
      if (!auto || !auto.checked || !first || !first.width) {
        hint.hidden = true;
        if (preview) preview.hidden = true;
        return;
      }
      const crop = autoCrop(first.width, first.height);
      const fits = crop.w * crop.h >= 0.98 * first.width * first.height;
      hint.hidden = false;
      hint.textContent = `${crop.wide ? labels.autoWide : labels.autoTall} ${fits ? labels.autoFits : labels.autoKept}`;
      if (preview && first.image) {
        try {
          drawCropPreview(preview, first, crop);
          preview.hidden = false;
        } catch (error) {
          preview.hidden = true;
        }
      }
    }

    function render() {
      const list = form.querySelector("[data-thumbs]");
      list.replaceChildren();
      items.forEach((item, index) => {
        const li = document.createElement("li");
        li.className = "thumb";
        const img = document.createElement("img");
        img.src = item.preview;
        img.alt = roleLabel(index);
        const caption = document.createElement("span");
        caption.className = "thumb__role";
        caption.textContent = roleLabel(index);
        const tools = document.createElement("div");
        tools.className = "thumb__tools";
        const button = (text, icon, handler, disabled) => {
          const b = document.createElement("button");
          b.type = "button";
          b.className = "icon-button";
          b.append(document.getElementById(`icon-${icon}`).content.cloneNode(true));
          b.setAttribute("aria-label", `${text}: ${roleLabel(index)}`);
          b.title = text;
          b.disabled = disabled;
          b.addEventListener("click", handler);
          return b;
        };
        tools.append(
          button(labels.moveUp, "arrow-left", () => move(index, -1), index === 0),
          button(labels.moveDown, "arrow-right", () => move(index, 1), index === items.length - 1),
          button(labels.remove, "x", () => remove(index), false),
        );
        li.append(img, caption, tools);
        list.append(li);
      });
      syncSlots();
      updateAutoHint();
      showError("images", items.length > mode.maxImages ? checkImages() : "");
    }

    function move(index, step) {
      const [item] = items.splice(index, 1);
      items.splice(index + step, 0, item);
      render();
    }

    function remove(index) {
      const [item] = items.splice(index, 1);
      if (item.file) URL.revokeObjectURL(item.preview);
      render();
    }

    function measure(item) {
      const probe = new Image();
      probe.onload = () => {
        item.width = probe.naturalWidth;
        item.height = probe.naturalHeight;
        item.image = probe;
        updateAutoHint();
      };
      probe.src = item.preview;
    }

    function refused(file, message) {
      if (!file.name) return { refusal: message };
      const name = file.name.length > 60 ? `${file.name.slice(0, 59)}…` : file.name;
      return { refusal: format(labels.named, { name: name, error: message }) };
    }

    // The server's checks, made before a file is taken, so a refusal is explained at once: its size, what it
    // really is, and its pixels. Gives the new item, or why the file was refused.
    async function checkFile(file) {
      if (file.size > config.uploadMaxBytes) {
        return refused(file, format(labels.tooLarge, { mb: Math.round(config.uploadMaxBytes / 1048576) }));
      }
      if (!isPicture(new Uint8Array(await file.slice(0, 12).arrayBuffer()))) return refused(file, labels.notPicture);
      const preview = URL.createObjectURL(file);
      let image;
      try {
        image = await decoded(preview);
      } catch (error) {
        URL.revokeObjectURL(preview);
        return refused(file, labels.notPicture);
      }
      const [width, height] = [image.naturalWidth, image.naturalHeight];
      const sides = config.pictureSides;
      let problem = "";
      if (Math.max(width, height) > sides.max) {
        problem = format(labels.tooManyPixels, { w: width, h: height, max: sides.max });
      } else if (Math.min(width, height) < sides.min) {
        problem = format(labels.tooFewPixels, { w: width, h: height, min: sides.min });
      }
      if (problem) {
        URL.revokeObjectURL(preview);
        return refused(file, problem);
      }
      return { item: { file: file, preview: preview, src: "", width: width, height: height, image: image } };
    }

    async function addFiles(files) {
      const checked = await Promise.all([...files].map(checkFile));
      refusals.splice(0, refusals.length, ...checked.filter((c) => c.refusal).map((c) => c.refusal));
      items.push(...checked.filter((c) => c.item).map((c) => c.item));
      render();
    }

    function addUrl(value) {
      const url = value.trim();
      if (!/^https?:\/\/\S+$/i.test(url)) {
        refusals.splice(0, refusals.length, labels.badUrl);
        showPictureMessages();
        return false;
      }
      refusals.length = 0;
      const item = { file: null, preview: url, src: url };
      items.push(item);
      measure(item);
      render();
      return true;
    }

    if (images) {
      // With JavaScript the drop zone replaces the plain per-slot inputs (which still carry the files).
      form.querySelector("[data-dropzone]").hidden = false;
      form.querySelector("[data-slots]").hidden = true;
      const zone = form.querySelector("[data-dropzone]");
      const picker = form.querySelector("[data-picker]");
      picker.addEventListener("change", () => {
        addFiles(picker.files);
        picker.value = "";
      });
      zone.addEventListener("dragover", (event) => {
        event.preventDefault();
        zone.classList.add("dropzone--over");
      });
      zone.addEventListener("dragleave", () => zone.classList.remove("dropzone--over"));
      zone.addEventListener("drop", (event) => {
        event.preventDefault();
        zone.classList.remove("dropzone--over");
        addFiles(event.dataTransfer.files);
      });
      const urlInput = form.querySelector("[data-url-input]");
      const addButton = form.querySelector("[data-url-add]");
      const takeUrl = () => {
        if (urlInput.value && addUrl(urlInput.value)) {
          urlInput.value = "";
          form.querySelector("#picture-check")?.replaceChildren(); // the picture is in the list now
        }
      };
      addButton.addEventListener("click", takeUrl);
      urlInput.addEventListener("keydown", (event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          takeUrl();
        }
      });
      form.addEventListener("paste", (event) => {
        const files = [...(event.clipboardData?.files || [])];
        if (files.length) {
          event.preventDefault();
          addFiles(files);
        }
      });
      // The form sent back by the server after Generate: the pictures it took stay in their places, those it
      // refused go (its messages, kept, say which and why). Without the pictures sent (a page loaded anew, or one
      // started from another video), the addresses in the slots are the pictures.
      refusals.push(...[...field("images").querySelectorAll(".field-error__line")].map((line) => line.textContent));
      const before = "returned" in form.dataset && sent && sent.mode === form.dataset.mode ? sent.items : null;
      sent = null;
      for (let slot = 1; slot <= mode.maxImages; slot++) {
        const earlier = before && before[slot - 1];
        const value = form.elements[`image_url_${slot}`].value;
        if (form.querySelector(`[name="image_${slot}"][data-refused], [name="image_url_${slot}"][data-refused]`)) {
          if (earlier && earlier.file) URL.revokeObjectURL(earlier.preview);
        } else if (earlier) {
          items.push(earlier);
        } else if (value) {
          items.push({ file: null, preview: value, src: value });
        }
      }
      if (arriving && !items.length) items.push(...arriving.items.slice(0, mode.maxImages));
      items.filter((item) => !item.width).forEach(measure);
      render();
    }

    // --- checks before sending ---------------------------------------------------------------------------
    function checkImages() {
      const count = images ? items.length : 0;
      if (mode.maxImages === 0 && count > 0) return labels.noImages;
      if (count < mode.minImages) return format(labels.tooFew, { min: mode.minImages });
      if (count > mode.maxImages) {
        return format(labels.tooMany, { max: mode.maxImages, extra: count - mode.maxImages });
      }
      return "";
    }

    function validate() {
      const problems = {};
      if (!prompt.value.trim()) problems.prompt = labels.promptRequired;
      const model = form.querySelector('input[name="model"]:checked');
      if (model && !mode.models.includes(model.value)) {
        problems.model = format(labels.modelNotInMode, { model: model.labels[0].querySelector("[id$='-name']").textContent.trim() });
      }
      const seed = form.elements.seed.value.trim();
      if (seed) {
        const value = Number(seed);
        const { min, max } = config.rules.seed;
        if (!Number.isInteger(value) || value < min || value > max) problems.seed = labels.seedRange;
      }
      if (form.elements.watermark.value.length > config.rules.watermarkMaxLength) {
        problems.watermark = format(labels.watermarkLong, { max: config.rules.watermarkMaxLength });
      }
      if (images || mode.maxImages) {
        const imageProblem = checkImages();
        if (imageProblem) problems.images = imageProblem;
      }
      for (const name of ["prompt", "model", "seed", "watermark", "images"]) showError(name, problems[name]);
      const first = Object.keys(problems)[0];
      if (first) {
        if (first === "seed" || first === "watermark") form.querySelector(".more-options").open = true;
        const target = first === "images" ? form.querySelector("[data-picker]") || images : form.elements[first];
        if (target && target.focus && !(target instanceof RadioNodeList)) target.focus();
        return false;
      }
      return true;
    }

    function send(event) {
      if (!validate()) event.preventDefault();
      else sent = { mode: form.dataset.mode, items: items.slice() };
    }
    // "Try this" in a picture mode brings its sample pictures too, when none were added yet.
    form.addEventListener("veoui:try", (event) => {
      if (images && !items.length) event.detail.pictures.forEach(addUrl);
    });
    form.addEventListener("submit", send);
    // Only the form's own request (Generate); the picture address check inside it asks the server freely.
    form.addEventListener("htmx:confirm", (event) => event.target === form && send(event));
    form.addEventListener("change", (event) => {
      if (event.target.name === "model" || event.target.name === "count") updateCost();
      if (event.target.name === "aspect_ratio") updateAutoHint();
    });
    prompt.addEventListener("input", () => {
      updateCounter();
      if (prompt.value.trim()) showError("prompt", "");
    });

    updateCost();
    updateCounter();
  }

  function setupAll() {
    setup(document.getElementById("generate-form"));
    const empty = document.querySelector("#recent-list [data-empty]");
    if (empty && document.querySelector("#recent-list .gen-card")) empty.remove();
  }

  // "Try this" is a link that pre-fills the prompt on the server; with JavaScript it fills it in place.
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("[data-try-prompt]");
    const prompt = document.getElementById("id_prompt");
    if (!link || !prompt) return;
    event.preventDefault();
    prompt.value = link.dataset.tryPrompt;
    prompt.dispatchEvent(new Event("input", { bubbles: true }));
    const pictures = (link.dataset.tryPictures || "").split(" ").filter(Boolean);
    prompt.form.dispatchEvent(new CustomEvent("veoui:try", { detail: { pictures: pictures } }));
    prompt.focus();
    prompt.scrollIntoView({ block: "center", behavior: "smooth" });
  });

  // Generate is answered at once: the button says Sent and stays disabled until the new tile is on the page;
  // then the tile is brought into view, marked, and given the focus (the page's live region announces it).
  function sendButton() {
    return document.querySelector("#generate-form button[type=submit]");
  }
  function restore(button) {
    if (!button || !button.dataset.label) return;
    button.innerHTML = button.dataset.label; // the label as the server wrote it, its icon included
    delete button.dataset.label;
    button.disabled = false;
  }
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt.id !== "generate-form") return;
    const button = sendButton();
    if (!button || button.dataset.label) return;
    button.dataset.label = button.innerHTML;
    button.textContent = button.dataset.sent;
    button.disabled = true;
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.elt.id !== "generate-form") return;
    if (!event.detail.successful || !event.detail.xhr.responseText.includes("data-just-sent")) restore(sendButton());
  });
  // A new tile stays marked for a few seconds, through the status checks that replace it meanwhile.
  const MARKED_MS = 8000;
  let marked = { ids: [], until: 0 };
  document.addEventListener("htmx:afterSettle", () => {
    const tiles = [...document.querySelectorAll("#recent-list [data-just-sent]")];
    if (!tiles.length) {
      if (Date.now() > marked.until) marked.ids = [];
      marked.ids.forEach((id) => document.getElementById(id)?.classList.add("tile--new"));
      return;
    }
    document.querySelectorAll("#recent-list .tile--new").forEach((tile) => tile.classList.remove("tile--new"));
    tiles.forEach((tile) => {
      tile.removeAttribute("data-just-sent");
      tile.classList.add("tile--new");
    });
    marked = { ids: tiles.map((tile) => tile.id), until: Date.now() + MARKED_MS };
    const box = tiles[0].getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) tiles[0].scrollIntoView({ block: "center" });
    tiles[0].querySelector(".tile__link").focus({ preventScroll: true });
    const button = sendButton();
    setTimeout(() => restore(button), 1500);
  });

  // One player for the whole canvas: a tile plays its video, muted, while the pointer or the focus is on it.
  const calm = window.matchMedia("(prefers-reduced-motion: reduce)");
  let player = null;
  function preview(tile) {
    if (!tile || !tile.dataset.video || calm.matches || (player && tile.contains(player))) return;
    stopPreview();
    if (!player) {
      player = document.createElement("video");
      player.className = "tile__player";
      player.muted = true;
      player.loop = true;
      player.playsInline = true;
      player.setAttribute("aria-hidden", "true");
    }
    const poster = tile.querySelector(".tile__media img");
    if (poster) player.poster = poster.src;
    player.src = tile.dataset.video;
    tile.querySelector(".tile__media").append(player);
    player.play().catch(() => {});
  }
  function stopPreview() {
    if (!player) return;
    player.pause();
    player.remove();
    player.removeAttribute("src");
    player.load();
  }
  const tileOf = (node) => (node && node.closest ? node.closest(".tile[data-video]") : null);
  // The browser repeats "over" when the page moves under a still pointer: only a pointer that moved counts.
  let pointer = "";
  document.addEventListener("pointermove", (event) => {
    pointer = `${event.clientX},${event.clientY}`;
  });
  document.addEventListener("pointerover", (event) => {
    const moved = pointer !== `${event.clientX},${event.clientY}`;
    pointer = `${event.clientX},${event.clientY}`;
    if (moved && event.pointerType !== "touch") preview(tileOf(event.target));
  });
  document.addEventListener("pointerout", (event) => {
    const tile = tileOf(event.target);
    if (tile && !tile.contains(event.relatedTarget) && !tile.contains(document.activeElement)) stopPreview();
  });
  document.addEventListener("focusin", (event) => preview(tileOf(event.target)));
  document.addEventListener("focusout", (event) => {
    const tile = tileOf(event.target);
    if (tile && !tile.contains(event.relatedTarget) && !tile.matches(":hover")) stopPreview();
  });
  document.addEventListener("DOMContentLoaded", setupAll);
  document.addEventListener("htmx:afterSettle", setupAll);
})();
