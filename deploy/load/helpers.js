'use strict';

// A fresh email per virtual user: registration is unique per email and login is rate limited per email.
function newUser(context, events, done) {
  const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  context.vars.email = `load-${id}@example.com`;
  context.vars.password = 'load-test-password';
  return done();
}

// Unique task names per virtual user: names are unique per user, case-insensitively.
function newTaskName(context, events, done) {
  context.vars.taskCount = (context.vars.taskCount || 0) + 1;
  context.vars.taskName = `task ${context.vars.taskCount}`;
  return done();
}

module.exports = { newUser, newTaskName };
