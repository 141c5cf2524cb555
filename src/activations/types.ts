/**
 * What one network form is: everything the other layers need to know about an activation lives in
 * one object of this type, defined in one module per activation (exp.ts, relu.ts, cosh.ts, sinh.ts,
 * softmax.ts) or by the library user (custom.ts), and registered in one table (index.ts).
 *
 * The network is F(W, x) = κ · f(z, a) with z_r = ⟨w_r, x⟩ (docs/theory.md §1, §5):
 * - pointwise activations: f(z, a) = Σ_r a_r σ(z_r), so ∂f/∂z_r = a_r σ'(z_r);
 * - the softmax-normalised network: f(z, a) = m Σ_r a_r s_r(z), s = softmax(z),
 *   so ∂f/∂z_r = m s_r (a_r − c) with c = Σ_q a_q s_q (§5).
 * Every layer above works with the per-sample factors φ_r = ∂f/∂z_r only: the gradient
 * ∂L/∂w_r = κ Σ_i r_i φ_ir x_i, the Jacobian–vector product (JV)_i = κ Σ_r φ_ir ⟨v_r, x_i⟩ and the
 * empirical kernel H_ij = κ² ⟨x_i, x_j⟩ Σ_r φ_ir φ_jr (§3) follow from them for every form.
 */

/** Names of the built-in activations (the `--activation` choices). */
export type ActivationName = 'exp' | 'relu' | 'cosh' | 'sinh' | 'softmax';

/** Output-layer initialisation (§1, §3): Gaussian, or coupled pairs with F(W(0), ·) = 0. */
export type Init = 'gaussian' | 'coupled';

/** The infinite-width kernel of a network (NTK scale, κ = 1/√m), one entry at a time. */
export interface LimitKernel {
  /** Its symbol in outputs, e.g. "H^cts". */
  readonly symbol: string;
  /** Where it is derived, e.g. "docs/theory.md §3". */
  readonly ref: string;
  /** How it is computed: "closed form", or the quadrature and its degree. */
  readonly method: string;
  /** Its diagonal for unit-norm inputs, in words (for summaries). */
  readonly diagonal: string;
  /**
   * K(x, x') from g = ⟨x, x'⟩, q = ‖x‖², q' = ‖x'‖²; the rows themselves are X[xo … xo+d) and
   * Y[yo … yo+d) for a kernel that needs more than these three numbers (ReLU's angle).
   */
  entry(g: number, q: number, qp: number, X: Float64Array, xo: number, Y: Float64Array, yo: number, d: number): number;
}

/** Which parts of docs/theory.md §4 apply to a network, and what the literature says of its width. */
export interface TheoryFacts {
  /**
   * The a-priori conditions of §4 (B, R*, the widths of §4B–C, η and T of §4D) are derived for this
   * network, so `bounds` prints them and the certificate carries its R* and step-size rows.
   */
  readonly apriori: boolean;
  /** Said instead of the §4 numbers when they do not apply. */
  readonly note?: string;
  /** Width orders from the literature, as orders (never with invented constants). */
  orders(init: Init): string[];
}

export interface Activation {
  readonly name: string;
  /** One line for help texts and reports, e.g. "σ(z) = e^z (§1)". */
  readonly summary: string;
  /** How reports name it, e.g. "ReLU". */
  readonly label: string;
  readonly form: 'pointwise' | 'softmax';
  /** σ and σ' of a pointwise activation (the softmax network has neither). */
  readonly sigma?: (z: number) => number;
  readonly dsigma?: (z: number) => number;
  /**
   * One sample: returns f(z, a) (so that F = κ f) and, when `phi` is given, writes φ_r = ∂f/∂z_r.
   * z, a and phi have length m, scratch 2m. Sums over neurons are pairwise with the top split at ⌊m/2⌋
   * (sum.ts): with coupled initialisation the two halves cancel exactly and F(W(0), x) = 0.
   */
  sample(z: Float64Array, a: Float64Array, phi: Float64Array | null, scratch: Float64Array): number;
  readonly limit: LimitKernel;
  /** Id of the native addon's kernel for it (native/src/api.h), or null: the native backend refuses it. */
  readonly native: number | null;
  readonly theory: TheoryFacts;
  /** ReLU: its activation patterns 1{⟨w_r, x_i⟩ ≥ 0} are counted as they flip. */
  readonly patterns: boolean;
  /** cosh is even (F(W, −x) = F(W, x)), sinh odd (F(W, −x) = −F(W, x)): then x and −x are as degenerate as a repeated input (§5). */
  readonly parity?: 'even' | 'odd';
  /** σ grows like e^{|z|}: the inputs must stay near the unit ball (§1), or the outputs overflow. */
  readonly exponential: boolean;
  /** Defined by the library user (custom.ts) rather than built in. */
  readonly custom: boolean;
}
