// Autograd: leaf flags, backward, gradients, detach and the thread's grad mode.
#include "rs_common.h"

#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/grad_mode.h>

RS_API int rs_requires_grad(TH a, int* out) { RS_TRY(*out = a->requires_grad() ? 1 : 0); }
RS_API int rs_set_requires_grad(TH a, int flag) { RS_TRY(a->set_requires_grad(flag != 0)); }
RS_API int rs_is_leaf(TH a, int* out) { RS_TRY(*out = a->is_leaf() ? 1 : 0); }

RS_API int rs_backward(TH a, TH grad, int retain_graph, int create_graph) {
  RS_TRY(torch::autograd::backward({*a}, grad == nullptr ? torch::autograd::variable_list{} : torch::autograd::variable_list{*grad},
                                   c10::optional<bool>(retain_graph != 0), create_graph != 0));
}

// Writes the accumulated gradient, or nullptr when none has been accumulated.
RS_API int rs_grad(TH a, TH* out) {
  RS_TRY(const auto& g = a->grad(); *out = g.defined() ? relic::wrap(g) : nullptr);
}
RS_API int rs_set_grad(TH a, TH grad) { RS_TRY(a->mutable_grad() = grad == nullptr ? at::Tensor() : *grad); }

// Gradients of sum(outputs * grad_outputs) with respect to inputs; an unused input gets nullptr. The handles are written
// only once every gradient has been computed and wrapped, so a failure leaves out untouched and leaks nothing.
RS_API int rs_autograd_grad(const TH* outputs, int n_out, const TH* inputs, int n_in, const TH* grad_outputs, int retain_graph,
                            int create_graph, TH* out) {
  RS_TRY(
      torch::autograd::variable_list go;
      if (grad_outputs != nullptr) go = relic::tensors(grad_outputs, n_out);
      auto gs = torch::autograd::grad(relic::tensors(outputs, n_out), relic::tensors(inputs, n_in), go,
                                      c10::optional<bool>(retain_graph != 0), create_graph != 0, /*allow_unused=*/true);
      TORCH_CHECK(static_cast<int>(gs.size()) == n_in, "autograd returned ", gs.size(), " gradients for ", n_in, " inputs");
      relic::wrap_all(std::move(gs), out, /*undefined_is_null=*/true));
}

RS_UNARY(detach, a->detach())

RS_API int rs_is_grad_enabled(int* out) { RS_TRY(*out = c10::GradMode::is_enabled() ? 1 : 0); }
RS_API int rs_set_grad_enabled(int flag) { RS_TRY(c10::GradMode::set_enabled(flag != 0)); }
