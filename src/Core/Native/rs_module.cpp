// Module support (Core/Nn): replacing a parameter's data in place, as torch.nn.Module.to() does with
// `param.data = param.data.to(device)`, so a parameter keeps its identity (and every reference an optimiser
// holds) while its storage moves.
#include "rs_common.h"

using namespace relic;

RS_API int rs_module_set_data(TH self, TH data) { RS_TRY(self->set_data(*data)); }
