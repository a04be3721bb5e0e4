// index.html: sign in, create an account, choose the server.

import { ApiClient, ApiError } from './api.js';
import { apiBase, normalizeBase, probeOrigin, saveApiBase, savedApiBase } from './config.js';
import { byId } from './dom.js';
import { hasSession, saveToken, savedLogin } from './session.js';
import { applySavedTheme } from './theme.js';

applySavedTheme();

const REASONS = /** @type {Record<string, string>} */ ({
  expired: 'Your session has ended. Please sign in again.',
  signedout: 'You have been signed out.',
});

/** An invitation code from an invitation link (?invite=CODE). */
const inviteCode = (() => {
  const code = new URLSearchParams(location.search).get('invite');
  return code && /^[A-Za-z0-9_-]{1,200}$/.test(code) ? code : null;
})();

const els = {
  tabLogin: /** @type {HTMLButtonElement} */ (byId('tab-login')),
  tabRegister: /** @type {HTMLButtonElement} */ (byId('tab-register')),
  panelLogin: /** @type {HTMLFormElement} */ (byId('panel-login')),
  panelRegister: /** @type {HTMLFormElement} */ (byId('panel-register')),
  notice: byId('auth-notice'),
  error: byId('auth-error'),
  loginLogin: /** @type {HTMLInputElement} */ (byId('login-login')),
  loginPassword: /** @type {HTMLInputElement} */ (byId('login-password')),
  loginSubmit: /** @type {HTMLButtonElement} */ (byId('login-submit')),
  registerLogin: /** @type {HTMLInputElement} */ (byId('register-login')),
  registerDisplay: /** @type {HTMLInputElement} */ (byId('register-display')),
  registerPassword: /** @type {HTMLInputElement} */ (byId('register-password')),
  registerSubmit: /** @type {HTMLButtonElement} */ (byId('register-submit')),
  apiCurrent: byId('api-base-current'),
  apiForm: /** @type {HTMLFormElement} */ (byId('api-form')),
  apiInput: /** @type {HTMLInputElement} */ (byId('api-base')),
  apiReset: /** @type {HTMLButtonElement} */ (byId('api-reset')),
  apiTest: /** @type {HTMLButtonElement} */ (byId('api-test')),
  apiStatus: byId('api-status'),
  settings: /** @type {HTMLDetailsElement} */ (byId('server-settings')),
};

const SOURCE_WORDS = /** @type {Record<string, string>} */ ({
  saved: 'saved on this device',
  build: 'set when the client was built',
  origin: 'this server',
  fallback: 'default: this host, port 8000',
});

/** @param {string} text */
function showError(text) {
  els.error.textContent = text;
  els.error.hidden = !text;
}

/** @param {string} text */
function showNotice(text) {
  els.notice.textContent = text;
  els.notice.hidden = !text;
}

/** @param {'login' | 'register'} which @param {boolean} [focus] */
function selectTab(which, focus = false) {
  const login = which === 'login';
  els.tabLogin.setAttribute('aria-selected', String(login));
  els.tabRegister.setAttribute('aria-selected', String(!login));
  els.tabLogin.tabIndex = login ? 0 : -1;
  els.tabRegister.tabIndex = login ? -1 : 0;
  els.panelLogin.hidden = !login;
  els.panelRegister.hidden = login;
  showError('');
  if (focus) (login ? els.tabLogin : els.tabRegister).focus();
  (login ? els.loginLogin : els.registerLogin).focus({ preventScroll: true });
}

els.tabLogin.addEventListener('click', () => selectTab('login'));
els.tabRegister.addEventListener('click', () => selectTab('register'));
for (const tab of [els.tabLogin, els.tabRegister]) {
  tab.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
      event.preventDefault();
      selectTab(tab === els.tabLogin ? 'register' : 'login', true);
    }
  });
}

async function client() {
  const { base } = await apiBase();
  return new ApiClient({ base });
}

async function refreshServerLine() {
  const { base, source } = await apiBase({ refresh: true });
  els.apiCurrent.textContent = base;
  els.apiCurrent.title = SOURCE_WORDS[source] ?? source;
  els.apiInput.value = savedApiBase() ?? '';
  els.apiInput.placeholder = base;
  els.apiStatus.textContent = `Using ${base} (${SOURCE_WORDS[source] ?? source}).`;
}

/**
 * Validates username and password the way the server does, in plain words.
 * @param {string} login
 * @param {string} password
 */
function localProblems(login, password) {
  if (login.length < 3) return 'Username must be at least 3 characters long.';
  if (login.length > 64) return 'Username must be at most 64 characters long.';
  if (password.length < 8) return 'Password must be at least 8 characters long.';
  if (password.length > 128) return 'Password must be at most 128 characters long.';
  return '';
}

/**
 * @param {HTMLButtonElement} button
 * @param {boolean} busy
 * @param {string} label
 */
function setBusy(button, busy, label) {
  button.disabled = busy;
  button.setAttribute('aria-busy', String(busy));
  button.textContent = label;
}

/**
 * Disables a submit button while the server asks us to wait.
 * @param {HTMLButtonElement} button
 * @param {unknown} err
 * @param {string} label
 */
function honourRetryAfter(button, err, label) {
  if (!(err instanceof ApiError) || err.status !== 429 || !err.retryAfter) return;
  let left = err.retryAfter;
  button.disabled = true;
  const tick = () => {
    if (left <= 0) {
      setBusy(button, false, label);
      return;
    }
    button.textContent = `${label} (${left}s)`;
    left -= 1;
    setTimeout(tick, 1000);
  };
  tick();
}

/** @param {{ access_token: string, refresh_token?: string }} tokens @param {string} login */
function enter(tokens, login) {
  saveToken(tokens.access_token, login, tokens.refresh_token ?? null);
  const next = new URL('./workspace.html', location.href);
  const back = new URLSearchParams(location.search).get('next');
  if (inviteCode) next.hash = `#/invite/${inviteCode}`;
  else if (back && back.startsWith('#')) next.hash = back;
  location.assign(next.toString());
}

els.panelLogin.addEventListener('submit', async (event) => {
  event.preventDefault();
  showError('');
  const login = els.loginLogin.value;
  const password = els.loginPassword.value;
  const problem = localProblems(login, password);
  if (problem) {
    showError(problem);
    return;
  }
  setBusy(els.loginSubmit, true, 'Signing in…');
  try {
    const api = await client();
    const result = await api.login({ login, password });
    if (!result || typeof result.access_token !== 'string') throw new ApiError('The server sent an unexpected answer.');
    enter(result, login);
  } catch (err) {
    showError(/** @type {Error} */ (err).message);
    setBusy(els.loginSubmit, false, 'Sign in');
    honourRetryAfter(els.loginSubmit, err, 'Sign in');
    els.loginPassword.select();
  }
});

els.panelRegister.addEventListener('submit', async (event) => {
  event.preventDefault();
  showError('');
  const login = els.registerLogin.value;
  const password = els.registerPassword.value;
  const displayName = els.registerDisplay.value.trim();
  const problem = localProblems(login, password);
  if (problem) {
    showError(problem);
    return;
  }
  setBusy(els.registerSubmit, true, 'Creating account…');
  try {
    const api = await client();
    /** @type {{ login: string, password: string, display_name?: string }} */
    const body = { login, password };
    if (displayName) body.display_name = displayName;
    await api.register(body);
    const result = await api.login({ login, password });
    enter(result, login);
  } catch (err) {
    showError(/** @type {Error} */ (err).message);
    setBusy(els.registerSubmit, false, 'Create account');
    honourRetryAfter(els.registerSubmit, err, 'Create account');
  }
});

els.apiForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const raw = els.apiInput.value.trim();
  if (raw && !normalizeBase(raw)) {
    els.apiStatus.textContent = 'That does not look like a web address. Example: http://192.168.0.42:8000';
    return;
  }
  saveApiBase(raw || null);
  await refreshServerLine();
});

els.apiReset.addEventListener('click', async () => {
  saveApiBase(null);
  await refreshServerLine();
});

els.apiTest.addEventListener('click', async () => {
  const typed = normalizeBase(els.apiInput.value);
  const base = typed ?? (await apiBase()).base;
  els.apiStatus.textContent = `Checking ${base}…`;
  const ok = await probeOrigin(base);
  els.apiStatus.textContent = ok
    ? `${base} is a Charge server and answers.`
    : `No Charge server answered at ${base}.`;
});

async function init() {
  const params = new URLSearchParams(location.search);
  const reason = params.get('reason');
  if (reason && REASONS[reason]) showNotice(REASONS[reason]);
  else if (hasSession()) {
    const next = new URL('./workspace.html', location.href);
    if (inviteCode) next.hash = `#/invite/${inviteCode}`;
    location.replace(next.toString());
    return;
  }
  if (inviteCode) showNotice('You have been invited to a room. Sign in, or create an account, to join it.');
  const remembered = savedLogin();
  if (remembered) els.loginLogin.value = remembered;
  if (params.get('tab') === 'register' || (inviteCode && !remembered)) selectTab('register');
  else (remembered ? els.loginPassword : els.loginLogin).focus();
  await refreshServerLine();
  document.body.dataset.ready = 'true';
}

void init();
