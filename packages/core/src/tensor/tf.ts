/**
 * The shared tensor core. npde uses `@tensorflow/tfjs-core` as its only tensor
 * library; importing `@tensorflow/tfjs` once, for its side effects, registers
 * every gradient and the reference `cpu` backend (tfjs-core alone registers no
 * gradients in Node). Everything in npde imports `tf` from here.
 */
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';

export { tf };
/** A tensor of any rank. */
export type Tensor = tf.Tensor;
/** A rank-2 tensor: the layout `[batch, size]` of every field state in npde. */
export type Tensor2D = tf.Tensor2D;
/** A rank-1 tensor. */
export type Tensor1D = tf.Tensor1D;
/** A rank-0 tensor. */
export type Scalar = tf.Scalar;
/** A trainable tensor. */
export type Variable = tf.Variable;
