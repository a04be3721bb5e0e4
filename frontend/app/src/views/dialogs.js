// Modal dialogs (native <dialog>: focus trap and Escape come for free) and toasts.

import { byId, copyText, h, setChildren } from '../dom.js';

/**
 * @typedef {{
 *   name: string,
 *   label: string,
 *   type?: 'text' | 'select' | 'textarea' | 'radio',
 *   value?: string,
 *   placeholder?: string,
 *   options?: { value: string, label: string }[],
 *   maxLength?: number,
 *   required?: boolean,
 *   hint?: string,
 * }} Field
 */

/**
 * Opens a form dialog. `submit` gets the values; throwing (or rejecting)
 * shows the error in the dialog and keeps it open; a returned Node replaces
 * the form (e.g. to show a result), a falsy value closes the dialog. Returns
 * the form, so a step can hand over to the next form in the same dialog.
 * @param {{
 *   title: string,
 *   description?: string,
 *   fields?: Field[],
 *   submitLabel?: string,
 *   danger?: boolean,
 *   submit: (values: Record<string, string>) => Promise<Node | void | null> | Node | void | null,
 * }} spec
 */
export function openForm(spec) {
  const dialog = /** @type {HTMLDialogElement} */ (byId('dialog'));
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  /** @type {HTMLElement[]} */
  const controls = [];
  const fields = (spec.fields ?? []).map((field) => {
    const id = `dlg-${field.name}`;
    if (field.type === 'radio') {
      const group = h(
        'fieldset',
        { class: 'radio-group' },
        h('legend', null, field.label),
        (field.options ?? []).map((opt, i) =>
          h(
            'label',
            { class: 'radio' },
            h('input', {
              type: 'radio',
              name: field.name,
              value: opt.value,
              checked: field.value ? field.value === opt.value : i === 0,
            }),
            h('span', null, opt.label),
          ),
        ),
        field.hint ? h('small', { class: 'hint' }, field.hint) : null,
      );
      controls.push(group);
      return group;
    }
    /** @type {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} */
    let control;
    if (field.type === 'select') {
      control = h(
        'select',
        { id, name: field.name },
        (field.options ?? []).map((opt) => h('option', { value: opt.value, selected: opt.value === field.value }, opt.label)),
      );
    } else if (field.type === 'textarea') {
      control = h('textarea', { id, name: field.name, rows: 5, maxlength: field.maxLength, required: field.required });
      control.value = field.value ?? '';
    } else {
      control = h('input', {
        id,
        name: field.name,
        value: field.value ?? '',
        placeholder: field.placeholder,
        maxlength: field.maxLength,
        required: field.required,
        autocomplete: 'off',
      });
    }
    controls.push(control);
    return h('label', { class: 'field', for: id }, h('span', null, field.label), control, field.hint ? h('small', { class: 'hint' }, field.hint) : null);
  });
  const submitBtn = h('button', { class: spec.danger ? 'btn btn-danger' : 'btn btn-primary', type: 'submit' }, spec.submitLabel ?? 'Save');
  const cancelBtn = h('button', { class: 'btn btn-ghost', type: 'button', onclick: () => dialog.close() }, 'Cancel');
  const form = h(
    'form',
    { class: 'stack', method: 'dialog', novalidate: true },
    h('h2', { id: 'dialog-title' }, spec.title),
    spec.description ? h('p', { class: 'muted' }, spec.description) : null,
    error,
    fields,
    h('div', { class: 'row end' }, cancelBtn, submitBtn),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    /** @type {Record<string, string>} */
    const values = {};
    new FormData(form).forEach((v, k) => {
      values[k] = String(v);
    });
    submitBtn.disabled = true;
    try {
      const result = await spec.submit(values);
      if (result instanceof Node) setChildren(dialog, result);
      else dialog.close();
    } catch (err) {
      error.textContent = /** @type {Error} */ (err).message || 'Something went wrong.';
      error.hidden = false;
      submitBtn.disabled = false;
    }
  });
  setChildren(dialog, form);
  if (!dialog.open) dialog.showModal();
  const first = controls[0];
  /** @type {HTMLElement | null} */
  const focusTarget = first instanceof HTMLFieldSetElement ? first.querySelector('input:checked') : first ?? null;
  (focusTarget ?? submitBtn).focus();
  return form;
}

/**
 * A result panel with a copyable value.
 * @param {string} title
 * @param {string} text
 * @param {string} value
 */
export function copyPanel(title, text, value) {
  const dialog = /** @type {HTMLDialogElement} */ (byId('dialog'));
  const input = h('input', { readonly: true, value, class: 'mono', 'aria-label': title, id: 'dlg-copy-value' });
  const status = h('span', { class: 'hint', role: 'status' });
  const copy = h(
    'button',
    {
      class: 'btn btn-primary',
      type: 'button',
      onclick: async () => {
        const ok = await copyText(value, input);
        status.textContent = ok ? 'Copied.' : 'Select the code and copy it.';
      },
    },
    'Copy',
  );
  const panel = h(
    'div',
    { class: 'stack' },
    h('h2', { id: 'dialog-title' }, title),
    h('p', { class: 'muted' }, text),
    h('div', { class: 'row' }, input, copy),
    status,
    h('div', { class: 'row end' }, h('button', { class: 'btn btn-ghost', type: 'button', onclick: () => dialog.close() }, 'Done')),
  );
  queueMicrotask(() => input.select());
  return panel;
}

/**
 * @param {string} text
 * @param {'info' | 'error' | 'ok'} [kind]
 */
export function toast(text, kind = 'info') {
  const box = byId('toasts');
  const item = h('div', { class: `toast toast-${kind}` }, text);
  box.append(item);
  while (box.children.length > 4) box.firstElementChild?.remove();
  setTimeout(() => item.remove(), kind === 'error' ? 7000 : 4000);
}
