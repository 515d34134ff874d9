// Names every language writes alike: methods known by their English or Latin name (ReLU,
// Adam, WebGPU, L1). `t` falls back to them after the language's own strings and English,
// so a language may still give one its own text.

export default {
  'act.relu': 'ReLU',
  'act.leaky_relu': 'Leaky ReLU',
  'act.elu': 'ELU',
  'act.tanh': 'Tanh',
  'act.softplus': 'Softplus',
  'act.silu': 'SiLU / Swish',
  'act.gelu': 'GELU',
  'opt.sgd': 'SGD',
  'opt.nesterov': 'Nesterov',
  'opt.rmsprop': 'RMSProp',
  'opt.adagrad': 'Adagrad',
  'opt.adam': 'Adam',
  'opt.adamw': 'AdamW',
  'reg.l1': 'L1',
  'reg.l2': 'L2',
  'backend.cpu': 'CPU (SIMD128)',
  'backend.webgpu': 'WebGPU',
};
