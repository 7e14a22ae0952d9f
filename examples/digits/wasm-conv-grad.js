// tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter` kernel, so a tfjs-layers conv2d model cannot
// train on it. This registers one for 'wasm' that runs the wasm backend's own
// `Conv3DBackpropFilterV2` on a depth-1 volume: x [B, H, W, Ci] → [B, 1, H, W, Ci],
// dy [B, H', W', Co] → [B, 1, H', W', Co], filter [1, kh, kw, Ci, Co] → [kh, kw, Ci, Co].
// Only NHWC, stride 1, dilation 1 (what the baseline's conv2d layers use; checked against the cpu
// backend to ≤ 5e-5 relative for 'same' and 'valid' padding; stride 2 'same' disagreed, so it is refused).
import * as tf from '@tensorflow/tfjs';

export function registerWasmConv2dFilterGrad() {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  const conv3dFilterGrad = tf.getKernel('Conv3DBackpropFilterV2', 'wasm');
  const reshape = tf.getKernel('Reshape', 'wasm');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs;
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
      if (dataFormat !== undefined && dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter (wasm shim): dataFormat ${dataFormat} is not supported`);
      if (dimRoundingMode != null) throw new Error('Conv2DBackpropFilter (wasm shim): dimRoundingMode is not supported');
      const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
      if (sh !== 1 || sw !== 1) throw new Error('Conv2DBackpropFilter (wasm shim): only stride 1 is supported');
      const x5 = reshape.kernelFunc({ inputs: { x }, backend, attrs: { shape: [x.shape[0], 1, ...x.shape.slice(1)] } });
      const dy5 = reshape.kernelFunc({ inputs: { x: dy }, backend, attrs: { shape: [dy.shape[0], 1, ...dy.shape.slice(1)] } });
      const dw5 = conv3dFilterGrad.kernelFunc({ inputs: { x: x5, dy: dy5 }, backend, attrs: { strides: [1, sh, sw], pad, filterShape: [1, ...filterShape] } });
      const dw = reshape.kernelFunc({ inputs: { x: dw5 }, backend, attrs: { shape: filterShape } });
      backend.disposeData(x5.dataId);
      backend.disposeData(dy5.dataId);
      backend.disposeData(dw5.dataId);
      return dw;
    },
  });
}
