import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { Session } from '../model/types.ts';
import { errorText } from './common.tsx';

export function Login({ onLogin }: { onLogin: (s: Session) => void }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onLogin(await api.login(user, password));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <h1>Cohort</h1>
      <form onSubmit={submit} id="login-form">
        <label>
          User
          <input name="user" autocomplete="username" value={user} onInput={(e) => setUser(e.currentTarget.value)} required />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required />
        </label>
        <button type="submit" disabled={busy}>
          Log in
        </button>
        {error !== undefined && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
