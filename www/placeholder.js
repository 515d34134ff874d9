// Loads the wasm engine and reports it; the playground page replaces this file.
import init from '../pkg/nn_playground.js';

const status = document.getElementById('status');
try {
  await init();
  status.textContent = 'engine loaded';
} catch (err) {
  status.textContent = `engine failed to load: ${err}`;
  throw err;
}
