//! Entry point: picks the page from the hash route and mounts it.

import { render } from 'preact';
import './app.css';
import { AuthLayout } from './components/brand';
import { applyDocumentLang, t, useLang } from './i18n';
import { ActivatePage } from './pages/activate';
import { LoginPage } from './pages/login';
import { OperatorPage } from './pages/operator';
import { Shell } from './pages/shell';
import { SignupPage } from './pages/signup';
import { useRoute } from './router';

function App() {
  useLang();
  const route = useRoute();
  const top = route.path.split('/')[1] ?? '';
  switch (top) {
    case 'login':
      return <LoginPage notice={route.params.get('notice')} corpid={route.params.get('corpid')} />;
    case 'activate':
      return <ActivatePage params={route.params} />;
    case 'signup':
      return <SignupPage />;
    case 'operator':
      return <OperatorPage />;
    case 'app':
      return <Shell route={route} />;
    default:
      return (
        <AuthLayout testid="page-not-found">
          <div class="auth-card">
            <h1 class="auth-title">{t('notFound.title')}</h1>
            <a class="btn btn-primary" href="#/app/messages" data-testid="not-found-home">
              {t('notFound.home')}
            </a>
          </div>
        </AuthLayout>
      );
  }
}

if (!location.hash || location.hash === '#' || location.hash === '#/') {
  history.replaceState(null, '', '#/app/messages');
}
applyDocumentLang();
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
