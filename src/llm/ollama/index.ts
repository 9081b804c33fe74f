export { createOllamaModel, type OllamaModelOptions } from './ollama-model.js';
