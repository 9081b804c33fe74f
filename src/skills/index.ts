export { createSkillsFeature, type SkillsFeatureDeps } from './skills-feature.js';
export { runSkill, MAX_SKILL_STEPS, type SkillRun, type SkillRunnerDeps } from './skill-runner.js';
export { registerSkillTools, SKILL_NAME, type SkillToolDeps } from './skill-tools.js';
export { deleteSkill, getSkill, listSkills, saveSkill, type Skill } from './skills-repo.js';
