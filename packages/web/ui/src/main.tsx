import { render } from 'preact';
import './style.css';
import { App } from './views/App.tsx';

render(<App />, document.getElementById('app') as HTMLElement);
