export { mlp, MlpPresetSchema, type MlpPresetOptions } from './mlp.js';
export { cnn, CnnPresetSchema, CNN_STENCILS, type CnnPresetOptions, type CnnStencil } from './cnn.js';
export { rnn, RnnPresetSchema, type RnnPresetOptions } from './rnn.js';
