"""简体中文消息 (与 catalogue_en.py 的键一一对应)。术语取自课程笔记 (见 docs/glossary.md)。

{s:.0} 这样的字段: 英文的复数词尾, 中文不需要; 两种语言共用同一组字段, 所以中文里写成显示为空的字段。
"""
MESSAGES = {
    # 命令行
    "cli.description": "用 glasstorch (一个从零写成的 NumPy 深度学习框架) 训练和查看课程中的网络。",
    "cli.lang": "消息和图的语言: en 或 zh (默认: $GLASSTORCH_LANG, 否则按系统的 locale)",
    "cli.train": "训练一个模型 (带进度条); 写出指标、图和检查点 (checkpoint)",
    "cli.evaluate": "已训练模型的测试损失、准确率和每一类的准确率",
    "cli.predict": "用已训练的模型给图片文件分类 (PNG/JPEG, 任意尺寸)",
    "cli.models": "列出 `train --model` 接受的模型",
    "cli.datasets": "每个数据集在哪里找到, 或者如何获取",
    "cli.run": "在 glasstorch 上运行一个未经修改的 PyTorch 程序 (torch 和 torchvision 都指向 glasstorch)",
    "cli.experiment": "运行笔记中的一课: {names}",
    "cli.graph": "写出模型的计算图 (Graphviz DOT; 有 `dot` 时另存 SVG/PNG)",
    "cli.explain": "写出一个网页, 一步一步地走过模型在一批真实数据上的损失的链式法则 (值、梯度、有限差分)",
    "cli.error": "glasstorch {command}: 错误: {error}",
    "cli.interrupted": "glasstorch {command}: 已中断",
    # 训练
    "train.header": "训练 {model} ({parameters:,} 个参数), 数据集 {dataset}: {train:,} 张训练图片 / {test:,} 张测试图片, "
                    "{optimizer} 学习率 {lr:g}, 批大小 {batch}{processes}, 运行目录 {run_dir}",
    "train.processes": ", {processes} 个进程 x 每个 {threads} 个线程{s:.0}",
    "train.progress": "第 {epoch}/{epochs} 轮",
    "train.epoch": "第 {epoch}/{epochs} 轮  训练损失 {train_loss:.4f} 准确率 {train_acc:.2f}%  测试损失 {test_loss:.4f} "
                   "准确率 {test_acc:.2f}%  学习率 {lr:.3g}  {seconds:.1f} 秒 (每秒 {speed:.0f} 张图片, 含评估)",
    "train.done": "完成: 最终测试准确率 {final:.2f}% (最好 {best:.2f}%, 在第 {best_epoch} 轮); 已写出 {run_dir}/ {files}",
    "train.interrupted_saved": "已中断; {run_dir} 中第 {epoch} 轮的检查点完好: 用 `glasstorch {command}` 继续",
    "train.interrupted_nothing": "在第一轮结束前中断; 还没有保存任何东西",
    "train.diverged": "损失在第 {epoch} 轮第 {step}/{steps} 步变成了 {value}; 训练已停止。{saved}试试更小的学习率 "
                      "(--lr {lower:g}) 或梯度裁剪 (--clip-grad-norm 1.0)。",
    "train.diverged_saved": "第 {epoch} 轮的检查点 ({path}) 完好。",
    "train.diverged_nothing": "还没有保存任何东西。",
    # 第一个小时里会遇到的单行错误
    "error.positive": "--{option} 必须是有限的正数, 得到的是 {value}",
    "error.labels": "{split}标签{where}必须在 0..{last} 之间, 但第 {index} 个标签是 {label} (共 {count} 个错误标签{s:.0})",
    "error.split_training": "训练集",
    "error.split_test": "测试集",
    "error.labels_where": " (在 {folder} 中) ",
    "error.resume_option": "--resume: 要继续的那次运行里 {option} 是 {old}, 不是 {new}; 继续运行就是沿用那次运行的设置, "
                           "所以去掉 {option}, 或者开始一次新的运行 (换一个 --out)",
    "error.resume_epochs": "--resume: 这次运行已经训练了 {done} 轮{s:.0}; 要继续, 用 --epochs 要求更多的轮数 (多于 {done})",
    "error.resume_schedule": "--resume: {scheduler} 学习率调度在运行开始时就把长度定为 {saved} 轮, 不能延长到 {epochs} 轮; "
                             "用 --epochs {saved} 继续, 或者开始一次新的运行",
    "error.checkpoint_empty": "glasstorch.load: '{path}' 是空文件 (0 字节)",
    "error.checkpoint_pickle": "glasstorch.load: '{path}' 是一个 pickle 文件 (PyTorch 的 .pt); glasstorch 从不反序列化 pickle "
                               "(它可以执行代码)。请在 PyTorch 中把它存成 safetensors: "
                               "safetensors.torch.save_file(model.state_dict(), 'model.safetensors')",
    "error.checkpoint_short": "glasstorch.load: '{path}' 太短, 不可能是 safetensors 文件 ({size} 字节)",
    "error.checkpoint_truncated": "glasstorch.load: '{path}' 被截断了, 或者不是 safetensors 文件: 它的文件头声称有 "
                                  "{claimed:,} 字节, 但文件只有 {size:,} 字节",
    "error.checkpoint_not_json": "glasstorch.load: '{path}' 已损坏, 或者不是 safetensors 文件: 它的文件头不是 JSON",
    "error.checkpoint_damaged": "glasstorch.load: '{path}' 已损坏 (其中的张量与文件头不符): {error}",
    "error.weights_of": "{path}: 其中的权重不适合它的配置所指定的 {model} 模型; 它们是 {owner} 的权重",
    "error.weights_of_none": "{path}: 其中的权重不适合它的配置所指定的 {model} 模型; 也不适合 glasstorch 的任何一个模型",
    "error.image_too_large": "{path}: 这张图片有 {width}x{height} 像素 ({megapixels:.0f} 百万像素); predict 最多读取 "
                             "{limit} 百万像素的图片, 请先缩小它 (一个数字只需要 28x28)",
    "error.no_image": "没有这个图片文件: {path}",
    "error.image_folder": "{path}: 这是一个文件夹, 不是图片文件",
    "error.image_unreadable": "{path}: 不是可读的图片 ({error})",
    "error.images_failed": "{count} 张图片{s:.0}中有 {failures} 张无法读取",
    "error.unknown_model": "未知的模型 {model!r}; 请从这些中选择: {names}",
    # 讲解页 (页面上的语言按钮在两种语言之间切换)
    "page.language_button": "English",
    "page.start": "开始",
    "page.back": "上一步",
    "page.next": "下一步",
    "page.close": "{name} (点击收起)",
    "page.open": "{count} 个运算: 点击展开",
    "page.scalar": "标量",
    "page.forward_step": "前向: 第 {step} 步, 共 {steps} 步",
    "page.backward_step": "反向: 第 {step} 步, 共 {steps} 步",
    "page.value": "值:",
    "page.fd_samples": "抽样元素的有限差分 (float64):",
    "page.fd_at": "在 [{index}] 处:",
    "page.autograd": "自动求导",
    "page.fd": "有限差分 (float64):",
    "page.made_by": "由谁产生:",
    "page.rule": "法则:",
    "page.itself": "{loss} 本身",
    "page.one_line": "一行回到 {loss}:",
    "page.stats": "均值 {mean}, 标准差 {std}, 最小 {min}, 最大 {max}",
    "page.none": "无",
    # 图
    "figure.train": "训练集",
    "figure.test": "测试集",
    "figure.epoch": "轮 (epoch)",
    "figure.loss": "损失",
    "figure.accuracy": "准确率",
    "figure.accuracy_percent": "准确率 (%)",
    "figure.curves_title": "{model}, 数据集 {dataset}",
    "figure.predicted": "预测",
    "figure.true": "真实",
    "figure.confusion": "混淆矩阵 (测试集)",
    "figure.samples": "测试图片: 预测 (真实)",
    # 课程实验
    "lesson.xor": "线性模型拟合不了异或 (XOR); 一个非线性隐藏层就可以",
    "lesson.activations": "梯度消失: 用 sigmoid、tanh 和 ReLU 激活函数的深层多层感知机",
    "lesson.residual": "一个很深的普通卷积网络, 对比加了残差块的同一个网络",
    "lesson.exploding": "过大的权重让梯度爆炸; clip_grad_norm_ (梯度裁剪) 驯服它",
    "lesson.optimizers": "同一个问题上的全批量梯度下降、随机梯度下降、小批量、动量和 Adam",
    "lesson.losses": "sigmoid 输出饱和时, 均方误差 (MSE) 对比交叉熵",
    "lesson.linear": "y = 2x: 手写的梯度对比自动求导 (autograd)",
    "lesson.rnn-vanishing": "传到序列第一步的梯度: tanh RNN 对比 LSTM 和 GRU",
    "lesson.heading": "== {name}: {description}",
    "lesson.verdict": "结论: {verdict}",
    "lesson.figures": "图: {figures}  ({seconds:.1f} 秒)",
    "activations.layer": "层 (输入 -> 输出)",
    "activations.norm": "初始化时的 ||dL/dW|| (对数坐标)",
    "activations.title": "每一层的梯度范数, 深度 {depth} 的多层感知机, MNIST",
    "activations.verdict": "深度为 {depth} 时, sigmoid 第一层的梯度只有最后一层的 {sigmoid_ratio:.1e} (ReLU: "
                           "{relu_ratio:.2f}); ReLU 第一层的梯度是 sigmoid 的 {advantage:.1e} 倍 ({seconds:.0f} 秒)",
    "activations.columns": "激活函数;深度;初始 ||dW_1||;初始 ||dW_last||;初始 第一层/最后一层;第 {steps} 步 第一层/最后一层;"
                           "第 {steps} 步 损失",
}
