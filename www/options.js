// The choices the playground offers, with TF Playground's values where it has them.

export const CLASSIFICATION = [['circle', 'Circle'], ['xor', 'Exclusive or'], ['gauss', 'Gaussian'], ['spiral', 'Spiral'], ['moons', 'Two moons'], ['checkerboard', 'Checkerboard'], ['k_spiral', 'K-class spiral']];
export const REGRESSION = [['plane', 'Plane'], ['multi_gauss', 'Multi Gaussian'], ['sine', 'Sine']];
export const FEATURES = [['x1', 'X₁'], ['x2', 'X₂'], ['x1sq', 'X₁²'], ['x2sq', 'X₂²'], ['x1x2', 'X₁X₂'], ['sinx1', 'sin(X₁)'], ['sinx2', 'sin(X₂)'], ['cosx1', 'cos(X₁)'], ['cosx2', 'cos(X₂)']];
// The engine's serde names for the features, in the same order.
export const FEATURE_SERDE = ['x1', 'x2', 'x1_squared', 'x2_squared', 'x1_x2', 'sin_x1', 'sin_x2', 'cos_x1', 'cos_x2'];
export const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const ACTIVATIONS = [['relu', 'ReLU'], ['tanh', 'Tanh'], ['sigmoid', 'Sigmoid'], ['linear', 'Linear'], ['leaky_relu', 'Leaky ReLU'], ['elu', 'ELU'], ['softplus', 'Softplus'], ['silu', 'SiLU / Swish'], ['gelu', 'GELU'], ['sine', 'Sine']];
export const OPTIMIZERS = [['sgd', 'SGD'], ['momentum', 'Momentum'], ['nesterov', 'Nesterov'], ['rmsprop', 'RMSProp'], ['adagrad', 'Adagrad'], ['adam', 'Adam'], ['adamw', 'AdamW']];
export const SCHEDULES = [['constant', 'Constant'], ['step', 'Step ×0.5 / 1k'], ['exponential', 'Exp ×0.96 / 1k'], ['cosine', 'Cosine 20k']];
export const SCHEDULE_SPECS = {
  constant: { type: 'constant' },
  step: { type: 'step', every: 1000, factor: 0.5 },
  exponential: { type: 'exponential', decay_steps: 1000, rate: 0.96 },
  cosine: { type: 'cosine', decay_steps: 20000, min_lr: 0 },
};
export const MAX_LAYERS = 8;
export const MAX_UNITS = 32;

// What early stopping watches (the engine's `Monitor`); "test" is the page's held-out split.
export const MONITORS = [['val_loss', 'test loss'], ['loss', 'training loss'], ['val_accuracy', 'test accuracy'], ['accuracy', 'training accuracy']];
// Where training runs; 'auto' times an epoch on each and keeps the faster.
export const BACKENDS = [['cpu', 'CPU (SIMD128)'], ['webgpu', 'WebGPU'], ['auto', 'Auto']];
