# Minimal float32 TFLite -> ONNX for small face embedders (CONV_2D, DEPTHWISE_CONV_2D,
# ADD/SUB/MUL, RELU, ABS, RESHAPE). Input exposed as NCHW [1,3,H,W]; body NHWC.
# Usage: python tflite-to-onnx.py MODEL.tflite OUT.onnx (PyPI packages onnx, numpy, tflite)
import sys, numpy as np, onnx, tflite
from onnx import helper, TensorProto, numpy_helper
src, dst = sys.argv[1:3]
buf = open(src, 'rb').read()
m = tflite.Model.GetRootAsModel(buf, 0); g = m.Subgraphs(0)
names = {v: k for k, v in tflite.BuiltinOperator.__dict__.items() if not k.startswith('_')}
def tname(i): return 't%d' % i
def const(i):
    t = g.Tensors(i); b = m.Buffers(t.Buffer())
    if b.DataLength() == 0: return None
    dt = {0: np.float32, 2: np.int32, 4: np.int64}[t.Type()]
    return np.frombuffer(b.DataAsNumpy().tobytes(), dt).reshape(t.ShapeAsNumpy() if t.ShapeLength() else ())
nodes, inits, done = [], [], set()
def cin(i):
    c = const(i)
    if c is not None and i not in done:
        inits.append(numpy_helper.from_array(c.astype(np.float32) if c.dtype == np.float32 else c, tname(i))); done.add(i)
    return tname(i)
def act(x, a, out):
    if a == 0: nodes.append(helper.make_node('Identity', [x], [out]))
    elif a == 1: nodes.append(helper.make_node('Relu', [x], [out]))
    else: raise SystemExit('activation %d' % a)
inp = g.Inputs(0); H, W, C = g.Tensors(inp).ShapeAsNumpy()[1:]
nodes.append(helper.make_node('Transpose', ['input'], [tname(inp)], perm=[0, 2, 3, 1]))
k = [0]
def tmp(): k[0] += 1; return 'x%d' % k[0]
for oi in range(g.OperatorsLength()):
    op = g.Operators(oi); oc = m.OperatorCodes(op.OpcodeIndex()); name = names[max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode())]
    ins = [op.Inputs(j) for j in range(op.InputsLength())]; out = tname(op.Outputs(0))
    if name in ('CONV_2D', 'DEPTHWISE_CONV_2D'):
        o = op.BuiltinOptions()
        opt = tflite.Conv2DOptions() if name == 'CONV_2D' else tflite.DepthwiseConv2DOptions()
        opt.Init(o.Bytes, o.Pos)
        w = const(ins[1]); b = const(ins[2]) if len(ins) > 2 and ins[2] >= 0 else None
        if name == 'CONV_2D': Wt = w.transpose(0, 3, 1, 2); group = 1
        else: Wt = w.transpose(3, 0, 1, 2); group = Wt.shape[0] // opt.DepthMultiplier()
        wn = 'w%d' % oi; inits.append(numpy_helper.from_array(Wt.astype(np.float32), wn))
        cins = [tmp(), wn]
        if b is not None: bn = 'b%d' % oi; inits.append(numpy_helper.from_array(b.astype(np.float32), bn)); cins.append(bn)
        nodes.append(helper.make_node('Transpose', [tname(ins[0])], [cins[0]], perm=[0, 3, 1, 2]))
        kw = dict(strides=[opt.StrideH(), opt.StrideW()], group=group, kernel_shape=list(Wt.shape[2:]))
        if opt.Padding() == 0: kw['auto_pad'] = 'SAME_UPPER'
        c = tmp(); nodes.append(helper.make_node('Conv', cins, [c], **kw))
        a = tmp(); act(c, opt.FusedActivationFunction(), a)
        nodes.append(helper.make_node('Transpose', [a], [out], perm=[0, 2, 3, 1]))
    elif name in ('ADD', 'SUB', 'MUL'):
        o = op.BuiltinOptions(); opt = {'ADD': tflite.AddOptions, 'SUB': tflite.SubOptions, 'MUL': tflite.MulOptions}[name]()
        fa = 0
        if o is not None: opt.Init(o.Bytes, o.Pos); fa = opt.FusedActivationFunction()
        x = tmp(); nodes.append(helper.make_node(name.capitalize(), [cin(i) for i in ins], [x])); act(x, fa, out)
    elif name in ('RELU', 'ABS'):
        nodes.append(helper.make_node(name.capitalize(), [tname(ins[0])], [out]))
    elif name == 'RESHAPE':
        last = g.Tensors(op.Outputs(0)).ShapeAsNumpy()[-1]
        sn = 'shape%d' % oi; inits.append(numpy_helper.from_array(np.array([-1, last], np.int64), sn))
        nodes.append(helper.make_node('Reshape', [tname(ins[0]), sn], [out]))
    else: raise SystemExit('unsupported ' + name)
o = g.Outputs(0)
nodes.append(helper.make_node('Identity', [tname(o)], ['output']))
gr = helper.make_graph(nodes, 'tflite', [helper.make_tensor_value_info('input', TensorProto.FLOAT, [1, int(C), int(H), int(W)])], [helper.make_tensor_value_info('output', TensorProto.FLOAT, [1, int(g.Tensors(o).ShapeAsNumpy()[-1])])], inits)
mo = helper.make_model(gr, opset_imports=[helper.make_opsetid('', 13)]); mo.ir_version = 8
onnx.checker.check_model(mo); onnx.save(mo, dst); print('wrote', dst)
