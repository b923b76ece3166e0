/*
 * lbfgs.c: the quasi-Newton minimiser that logistic and Poisson regression
 * share: L-BFGS (Nocedal, "Updating quasi-Newton matrices with limited
 * storage", Math. Comp. 1980; Liu and Nocedal, "On the limited memory BFGS
 * method for large scale optimization", Math. Prog. 1989) extended to an L1
 * term by OWL-QN (Andrew and Gao, "Scalable training of L1-regularized
 * log-linear models", ICML 2007):
 *
 *     min over theta   f(theta) + sum_j l1_j |theta_j|
 *
 * with f smooth (the caller's evaluate gives f and its gradient). OWL-QN
 * takes a pseudo-gradient, keeps the search direction in the orthant of
 * steepest descent, and backtracks along a line projected back onto the
 * current orthant. Without L1 it is plain L-BFGS with a backtracking
 * (Armijo) line search. One departure from Andrew and Gao, explained where
 * it happens: the direction is aligned with steepest descent only on the
 * coordinates at zero.
 */
#include "ml.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The relative decrease is averaged over this many iterations, so that one
 * short step does not stop the search. */
#define STOP_WINDOW 5
#define ARMIJO 1e-4
#define MAX_BACKTRACKS 40

typedef struct minimiser {
    size_t p;          /* parameters */
    const double *l1w; /* p: each parameter's L1 weight (0: smooth) */
    bool any_l1;
    int memory;
    double *s, *y, *rho; /* memory x p, memory x p, memory: the history */
    int stored, newest;
} minimiser;

static double l1_term(const minimiser *m, const double *theta)
{
    double sum = 0;
    if (m->any_l1)
        for (size_t j = 0; j < m->p; j++)
            sum += m->l1w[j] * fabs(theta[j]);
    return sum;
}

/* The steepest-descent-defining pseudo-gradient of Andrew and Gao: at zero,
 * the one-sided derivative that decreases the objective, or 0. */
static void pseudo_gradient(const minimiser *m, const double *theta, const double *g, double *pg)
{
    for (size_t j = 0; j < m->p; j++) {
        double l = m->any_l1 ? m->l1w[j] : 0;
        if (l == 0)
            pg[j] = g[j];
        else if (theta[j] > 0)
            pg[j] = g[j] + l;
        else if (theta[j] < 0)
            pg[j] = g[j] - l;
        else if (g[j] + l < 0)
            pg[j] = g[j] + l;
        else if (g[j] - l > 0)
            pg[j] = g[j] - l;
        else
            pg[j] = 0;
    }
}

static double dot(const double *a, const double *b, size_t n)
{
    return cblas_ddot((int)n, a, 1, b, 1);
}

/* dir = -H pg by the two-loop recursion over the stored pairs. */
static void two_loop(const minimiser *m, const double *pg, double *dir, double *alpha)
{
    size_t p = m->p;
    for (size_t j = 0; j < p; j++)
        dir[j] = -pg[j];
    int mem = m->memory;
    for (int i = 0; i < m->stored; i++) {
        int at = (m->newest - i + mem) % mem;
        alpha[at] = m->rho[at] * dot(m->s + (size_t)at * p, dir, p);
        cblas_daxpy((int)p, -alpha[at], m->y + (size_t)at * p, 1, dir, 1);
    }
    if (m->stored > 0) {
        const double *y = m->y + (size_t)m->newest * p;
        double gamma = 1 / (m->rho[m->newest] * dot(y, y, p));
        cblas_dscal((int)p, gamma, dir, 1);
    }
    for (int i = m->stored - 1; i >= 0; i--) {
        int at = (m->newest - i + mem) % mem;
        double beta = m->rho[at] * dot(m->y + (size_t)at * p, dir, p);
        cblas_daxpy((int)p, alpha[at] - beta, m->s + (size_t)at * p, 1, dir, 1);
    }
}

/* What a decrease of f is relative to. */
static double scale_of(double f)
{
    return fabs(f) > 1e-300 ? fabs(f) : 1e-300;
}

static bool cancelled(const ml_env *env)
{
    return env != NULL && env->cancel != NULL && *env->cancel;
}

static int check_problem(const ml_lbfgs_problem *pr, wf_error *err)
{
    if (pr->p == 0 || pr->evaluate == NULL)
        return wf_error_set(err, WF_EINVAL, "%s: nothing to minimise", pr->name);
    if (pr->memory < 1 || pr->memory > 1000)
        return wf_error_set(err, WF_EINVAL, "L-BFGS memory must be 1..1000 (got %d)", pr->memory);
    if (!(pr->tolerance > 0) || !isfinite(pr->tolerance))
        return wf_error_set(err, WF_EINVAL, "optimization tolerance must be > 0 (got %g)",
                            pr->tolerance);
    if (pr->max_iterations < 1)
        return wf_error_set(err, WF_EINVAL, "iterations must be at least 1 (got %d)",
                            pr->max_iterations);
    return 0;
}

/* Minimises evaluate() + the L1 term from theta (updated in place). */
static int minimise(minimiser *m, const ml_lbfgs_problem *pr, double *theta, const ml_env *env,
                    ml_lbfgs_result *res, wf_error *err)
{
    size_t p = m->p;
    double *buf = wf_mallocarray(6 * p + (size_t)m->memory, sizeof(double));
    if (buf == NULL) return wf_error_set(err, WF_ENOMEM, "out of memory");
    double *g = buf, *pg = g + p, *dir = pg + p, *next = dir + p, *gnext = next + p,
           *orthant = gnext + p, *alpha = orthant + p;
    double history[STOP_WINDOW + 1], last = INFINITY; /* the last relative decrease */
    int rc = 0, it = 0;
    double f = pr->evaluate(pr->user, theta, g) + l1_term(m, theta);
    res->evaluations = 1;
    history[0] = f;
    for (it = 0; it < pr->max_iterations; it++) {
        if (cancelled(env)) {
            rc = wf_error_set(err, WF_ECANCELED, "%s: cancelled after %d iterations", pr->name, it);
            break;
        }
        pseudo_gradient(m, theta, g, pg);
        double pg_norm = sqrt(dot(pg, pg, p));
        if (pg_norm == 0 || !isfinite(pg_norm)) break;
        two_loop(m, pg, dir, alpha);
        /* Keep penalised coordinates at zero to steepest descent's side.
         * Andrew and Gao align every coordinate; aligning only those at
         * zero (elsewhere the line search's projection already keeps the
         * signs, and the objective is smooth) keeps the quasi-Newton
         * direction intact where it is valid, and converges in a fraction
         * of the iterations on multinomial problems. Descent is still
         * checked below. */
        if (m->any_l1)
            for (size_t j = 0; j < p; j++)
                if (m->l1w[j] != 0 && theta[j] == 0 && dir[j] * pg[j] >= 0) dir[j] = 0;
        double slope = dot(pg, dir, p);
        if (!(slope < 0)) {
            /* The history has gone stale: restart from steepest descent. */
            m->stored = 0;
            for (size_t j = 0; j < p; j++)
                dir[j] = -pg[j];
            slope = -pg_norm * pg_norm;
        }
        /* Converged when the last step gained less than the tolerance and
         * the quasi-Newton model promises no more than that from the next
         * (its predicted decrease is -slope / 2). */
        if (m->stored > 0 && last < pr->tolerance && -slope / scale_of(f) < pr->tolerance) break;
        for (size_t j = 0; j < p; j++)
            orthant[j] = theta[j] != 0 ? (theta[j] > 0 ? 1 : -1) : (pg[j] < 0 ? 1 : -1);
        /* Without curvature yet, a first step of unit length. */
        double step = m->stored == 0 ? 1 / sqrt(dot(dir, dir, p)) : 1;
        double fnext = INFINITY;
        bool accepted = false, converged = false;
        for (int tries = 0; tries < MAX_BACKTRACKS && !accepted; tries++, step *= 0.5) {
            for (size_t j = 0; j < p; j++) {
                next[j] = theta[j] + step * dir[j];
                if (m->any_l1 && m->l1w[j] != 0 && next[j] * orthant[j] <= 0) next[j] = 0;
            }
            fnext = pr->evaluate(pr->user, next, gnext) + l1_term(m, next);
            ++res->evaluations;
            double decrease = 0;
            for (size_t j = 0; j < p; j++)
                decrease += pg[j] * (next[j] - theta[j]);
            accepted = isfinite(fnext) && fnext <= f + ARMIJO * decrease;
            /* A promised decrease below the rounding of f cannot be seen:
             * the search has converged as far as doubles go. */
            if (!accepted && fabs(decrease) <= 8 * DBL_EPSILON * fabs(f)) {
                converged = true;
                break;
            }
        }
        if (converged) break;
        if (!accepted) {
            if (m->stored == 0) break; /* no descent left to numerical precision */
            m->stored = 0;
            continue;
        }
        /* The curvature pair from the smooth part's gradients. */
        int mem = m->memory, at = (m->newest + 1) % mem;
        double *s = m->s + (size_t)at * p, *y = m->y + (size_t)at * p;
        for (size_t j = 0; j < p; j++) {
            s[j] = next[j] - theta[j];
            y[j] = gnext[j] - g[j];
        }
        double sy = dot(s, y, p);
        if (sy > 1e-12 * sqrt(dot(s, s, p) * dot(y, y, p)) && sy > 0) {
            m->rho[at] = 1 / sy;
            m->newest = at;
            if (m->stored < mem) m->stored++;
        }
        memcpy(theta, next, p * sizeof(double));
        memcpy(g, gnext, p * sizeof(double));
        if (pr->after_step != NULL) fnext += pr->after_step(pr->user, theta, g);
        last = (f - fnext) / scale_of(fnext);
        f = fnext;
        /* Mean relative decrease over the last STOP_WINDOW iterations. */
        int done = it + 1, window = done < STOP_WINDOW ? done : STOP_WINDOW;
        for (int i = STOP_WINDOW; i > 0; i--)
            history[i] = history[i - 1];
        history[0] = f;
        if ((history[window] - f) / (window * scale_of(f)) < pr->tolerance) {
            it++;
            break;
        }
    }
    res->iterations = it;
    res->objective = f;
    free(buf);
    return rc;
}

int ml_lbfgs_minimise(const ml_lbfgs_problem *pr, double *theta, const ml_env *env,
                      ml_lbfgs_result *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = check_problem(pr, err);
    if (rc < 0) return rc;
    minimiser m = {.p = pr->p, .l1w = pr->l1, .memory = pr->memory};
    for (size_t j = 0; pr->l1 != NULL && j < pr->p; j++)
        if (pr->l1[j] != 0) m.any_l1 = true;
    m.s = wf_mallocarray((size_t)pr->memory * pr->p, sizeof(double));
    m.y = wf_mallocarray((size_t)pr->memory * pr->p, sizeof(double));
    m.rho = wf_mallocarray((size_t)pr->memory, sizeof(double));
    if (m.s == NULL || m.y == NULL || m.rho == NULL)
        rc = wf_error_set(err, WF_ENOMEM, "out of memory for the L-BFGS history");
    if (rc == 0) rc = minimise(&m, pr, theta, env, out, err);
    free(m.s);
    free(m.y);
    free(m.rho);
    return rc;
}
