import { access } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The files transformers.js 4.3.1 reads, relative to `<modelsDir>/<modelName>/`, for
 * `pipeline('feature-extraction', …)` on a BERT model on the CPU: config.json (model type, dtype
 * hints), tokenizer_config.json (model_max_length, special tokens) and tokenizer.json, and the
 * ONNX graph named by dtype: fp32 → onnx/model.onnx, q8 → onnx/model_quantized.onnx.
 */
export function requiredModelFiles(quantized: boolean): readonly string[] {
  return ['config.json', 'tokenizer.json', 'tokenizer_config.json', quantized ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx'];
}

/** The subset of `files` that does not exist under `folder`. */
export async function findMissingFiles(folder: string, files: readonly string[]): Promise<string[]> {
  const present = await Promise.all(
    files.map((file) =>
      access(join(folder, file)).then(
        () => true,
        () => false,
      ),
    ),
  );
  return files.filter((_, i) => !present[i]);
}
